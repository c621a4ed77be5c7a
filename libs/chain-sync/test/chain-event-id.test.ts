import { describe, expect, it } from "vitest";
import { eventEnvelopeSchema } from "@voltstack/events";
import { chainEventId } from "../src/index.js";

const txid = "9f2c".padEnd(64, "0");

describe("chainEventId", () => {
  it("gives one chain fact one id, however the txid is written", () => {
    expect(chainEventId(txid, 2)).toBe(chainEventId(`0x${txid.toUpperCase()}`, 2));
    expect(chainEventId(txid, 2, 0)).toBe(chainEventId(txid, 2));
  });

  it("gives different facts different ids", () => {
    const ids = new Set([
      chainEventId(txid, 0),
      chainEventId(txid, 1),
      chainEventId(txid, 1, 1),
      chainEventId("1".repeat(64), 0),
    ]);
    expect(ids.size).toBe(4);
  });

  it("is a version 5 UUID the event envelope accepts", () => {
    const id = chainEventId(txid, 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventEnvelopeSchema.shape.eventId.safeParse(id).success).toBe(true);
  });
});
