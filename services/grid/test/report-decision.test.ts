import { describe, expect, it } from "vitest";
import { deviates, reportDecision } from "../src/frequency/report-decision.js";

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 8) + seconds * 1_000);

describe("reportDecision", () => {
  it("reports the first reading and every change of deviation state", () => {
    expect(reportDecision({ deviating: false, measuredAt: at(0) }, undefined, 60)).toBe("state-change");
    expect(reportDecision({ deviating: true, measuredAt: at(1) }, { deviating: false, measuredAt: at(0) }, 60)).toBe(
      "state-change",
    );
    expect(reportDecision({ deviating: false, measuredAt: at(1) }, { deviating: true, measuredAt: at(0) }, 60)).toBe(
      "state-change",
    );
  });

  it("reports an unchanged state only once the cadence has elapsed, counted in measurement time", () => {
    const last = { deviating: true, measuredAt: at(0) };
    expect(reportDecision({ deviating: true, measuredAt: at(59.999) }, last, 60)).toBe("skipped");
    expect(reportDecision({ deviating: true, measuredAt: at(60) }, last, 60)).toBe("cadence");
    // A reading measured before the last report never reaches the cadence.
    expect(reportDecision({ deviating: true, measuredAt: at(-120) }, last, 60)).toBe("skipped");
  });
});

describe("deviates", () => {
  it("is the contract's rule: strictly further from the target than the deadband", () => {
    expect(deviates(50_200, 50_000, 200)).toBe(false);
    expect(deviates(49_800, 50_000, 200)).toBe(false);
    expect(deviates(50_201, 50_000, 200)).toBe(true);
    expect(deviates(49_799, 50_000, 200)).toBe(true);
  });
});
