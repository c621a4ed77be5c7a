import { describe, expect, it } from "vitest";
import { DEAD_LETTER_PREFIX, eventStreams, eventTypes } from "@voltstack/events";

// Whether some subject falls under both NATS filters ("*" one token, ">" one or more
// trailing tokens); a concrete subject is a filter of itself.
function overlap(a: string, b: string): boolean {
  const left = a.split(".");
  const right = b.split(".");
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i];
    const y = right[i];
    if (x === undefined || y === undefined) return false;
    if (x === ">" || y === ">") return true;
    if (x !== "*" && y !== "*" && x !== y) return false;
  }
  return true;
}

const streams = Object.entries(eventStreams).map(([key, stream]) => ({ key, ...stream }));

describe("the streams of the catalog's subjects", () => {
  it("reads subject filters as NATS does", () => {
    expect(overlap("service.>", "service.fulfilled")).toBe(true);
    expect(overlap("service.>", "service")).toBe(false);
    expect(overlap("facility.*", "facility.operator.set")).toBe(false);
    expect(overlap("grid.>", "*.demand.updated")).toBe(true);
    expect(overlap("grid.>", "flow.>")).toBe(false);
  });

  it("puts every subject of the catalog in exactly one stream", () => {
    for (const type of eventTypes) {
      const holding = streams.filter((stream) => stream.subjects.some((filter) => overlap(filter, type)));
      expect(
        holding.map((stream) => stream.name),
        type,
      ).toHaveLength(1);
    }
  });

  it("declares streams that do not overlap, each holding some subject of the catalog", () => {
    for (const [index, stream] of streams.entries()) {
      expect(stream.key).toBe(stream.name);
      expect(stream.description.length).toBeGreaterThan(0);
      expect(
        eventTypes.some((type) => stream.subjects.some((filter) => overlap(filter, type))),
        stream.name,
      ).toBe(true);
      for (const other of streams.slice(index + 1)) {
        for (const filter of stream.subjects) {
          for (const otherFilter of other.subjects) {
            expect(overlap(filter, otherFilter), `${stream.name} ${filter} / ${other.name} ${otherFilter}`).toBe(false);
          }
        }
      }
    }
  });

  it("leaves dead letters to their own stream", () => {
    for (const stream of streams) {
      for (const filter of stream.subjects) {
        expect(overlap(filter, `${DEAD_LETTER_PREFIX}>`), `${stream.name} ${filter}`).toBe(false);
      }
    }
  });
});
