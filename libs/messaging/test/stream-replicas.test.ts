import { describe, expect, it } from "vitest";
import { MessagingError, streamReplicas } from "@voltstack/messaging";

describe("stream replicas", () => {
  it("are NATS_STREAM_REPLICAS, one by default", () => {
    expect(streamReplicas({})).toBe(1);
    expect(streamReplicas({ NATS_STREAM_REPLICAS: "3" })).toBe(3);
  });

  it("refuse a count a NATS cluster cannot keep, naming the variable", () => {
    for (const value of ["0", "6", "2.5", "three"]) {
      expect(() => streamReplicas({ NATS_STREAM_REPLICAS: value })).toThrow(MessagingError);
      expect(() => streamReplicas({ NATS_STREAM_REPLICAS: value })).toThrow(/NATS_STREAM_REPLICAS/);
    }
  });
});
