import { readFileSync } from "node:fs";
import { batteryResponse, regulationSignal, seededRandom, type BatteryResponseOptions } from "@voltstack/synthetic";
import { describe, expect, it } from "vitest";
import { performanceBps, scoreRegulation } from "../src/index.js";

// The regulation worked examples in docs/performance-scoring.md are computed by the library: a
// change to the scores or to the synthetic data that moves a number fails here until the page follows.
const page = readFileSync(new URL("../../../docs/performance-scoring.md", import.meta.url), "utf8");
const stepSeconds = 2;
const committedW = 1_000_000;
const signal = regulationSignal(seededRandom(1), { seconds: 3_600, stepSeconds });
const requiredW = signal.map((bps) => (bps * committedW) / 10_000);

/** The cells of the page's table row that starts with this label (prettier aligns the columns). */
function tableRow(label: string): string[] | undefined {
  return page
    .split("\n")
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .find((cells) => cells[0] === label);
}

type Behaviour = Omit<BatteryResponseOptions, "requiredW" | "stepSeconds">;
const rows: [string, Behaviour][] = [
  ["good (1 % noise)", { kind: "good" }],
  ["good, 10 % of samples missing", { kind: "good", missingFraction: 0.1 }],
  ["noisy (20 % noise)", { kind: "noisy" }],
  ["delayed 60 s, no noise", { kind: "delayed", noiseFraction: 0 }],
];

describe("docs/performance-scoring.md regulation examples", () => {
  it.each(rows)("the row '%s' holds the scores the library computes", (label, behaviour) => {
    const responseW = batteryResponse(seededRandom(99), { ...behaviour, requiredW, stepSeconds });
    const result = scoreRegulation({ signal, responseW, committedW, stepSeconds });
    const cells = [result.accuracy, result.delay, result.precision, result.score].map((value) => value.toFixed(4));
    const expected = [
      label,
      ...cells,
      String(result.delaySeconds),
      result.passed ? "yes" : "no",
      performanceBps(result.score).toLocaleString("en-US"),
    ];
    expect(tableRow(label)).toEqual(expected);
  });

  it("the stated mileage is the signal's", () => {
    const { mileageBps } = scoreRegulation({ signal, responseW: requiredW, committedW, stepSeconds });
    expect(page).toContain(`mileage ${mileageBps.toLocaleString("en-US")} bps`);
  });
});
