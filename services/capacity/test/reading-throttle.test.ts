import { describe, expect, it } from "vitest";
import { FacilityLock } from "../src/readings/facility-lock.js";
import { readingDecision } from "../src/readings/reading-throttle.js";

const thresholds = { minChangeKwh: 50, minIntervalMs: 60_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 7, 0, seconds));

describe("readingDecision", () => {
  it("writes a change of at least the minimum, in either direction, when nothing was written before", () => {
    expect(
      readingDecision({ storedKwh: 1050n, receivedAt: at(0) }, { storedKwh: 1000n }, undefined, thresholds),
    ).toEqual({ write: true });
    expect(
      readingDecision({ storedKwh: 950n, receivedAt: at(0) }, { storedKwh: 1000n }, undefined, thresholds),
    ).toEqual({
      write: true,
    });
  });

  it("skips a change below the minimum, including none", () => {
    for (const storedKwh of [1000n, 1049n, 951n]) {
      expect(readingDecision({ storedKwh, receivedAt: at(0) }, { storedKwh: 1000n }, undefined, thresholds)).toEqual({
        write: false,
        reason: "BELOW_MIN_CHANGE",
      });
    }
  });

  it("skips inside the minimum interval after the last write, and writes at its end", () => {
    const reading = (seconds: number) => ({ storedKwh: 2000n, receivedAt: at(seconds) });
    expect(readingDecision(reading(59), { storedKwh: 1000n }, at(0), thresholds)).toEqual({
      write: false,
      reason: "WITHIN_MIN_INTERVAL",
    });
    expect(readingDecision(reading(60), { storedKwh: 1000n }, at(0), thresholds)).toEqual({ write: true });
  });
});

describe("FacilityLock", () => {
  it("runs work of one facility one after another, of different facilities side by side, past failures", async () => {
    const lock = new FacilityLock();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = lock.run(1, async () => {
      log.push("1a start");
      await gate;
      log.push("1a end");
      throw new Error("failed");
    });
    const second = lock.run(1, async () => {
      log.push("1b");
      return "b";
    });
    const other = lock.run(2, async () => {
      log.push("2");
      return "other";
    });
    await expect(other).resolves.toBe("other");
    expect(log).toEqual(["1a start", "2"]);
    release();
    await expect(first).rejects.toThrow("failed");
    await expect(second).resolves.toBe("b");
    expect(log).toEqual(["1a start", "2", "1a end", "1b"]);
  });
});
