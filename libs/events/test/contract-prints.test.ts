import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventCatalog, eventTypeForContractPrint, eventTypes, type ContractName } from "@voltstack/events";

const contractsDir = fileURLToPath(new URL("../../../contracts/", import.meta.url));

// Every topic a contract prints: `topic: "x"` or `topic: (if c "x" "y")`.
function printTopics(source: string): string[] {
  const topics: string[] = [];
  for (const match of source.matchAll(/topic:\s*(\(if[^)]*\)|"[^"]*")/g)) {
    for (const literal of (match[1] ?? "").matchAll(/"([^"]+)"/g)) topics.push(literal[1] ?? "");
  }
  return topics;
}

const contracts = readdirSync(contractsDir)
  .filter((file) => file.endsWith(".clar"))
  .map((file) => ({
    contract: file.replace(/\.clar$/, "") as ContractName,
    topics: printTopics(readFileSync(contractsDir + file, "utf8")),
  }));

describe("the catalog against the contracts' print events", () => {
  it("reads the five contracts", () => {
    expect(contracts.map(({ contract }) => contract).sort()).toEqual([
      "capacity-tracking",
      "charge-discharge",
      "facility-registry",
      "grid-services",
      "revenue-sharing",
    ]);
  });

  it("maps every print topic to an event, or folds it into one", () => {
    for (const { contract, topics } of contracts) {
      expect(topics.length).toBeGreaterThan(0);
      for (const topic of topics) {
        const folded = eventTypes.some((type) => {
          const origin = eventCatalog[type].origin;
          return origin.kind === "chain" && origin.contract === contract && origin.folds?.includes(topic);
        });
        expect(eventTypeForContractPrint(contract, topic) !== undefined || folded, `${contract} prints ${topic}`).toBe(
          true,
        );
      }
    }
    expect(eventTypeForContractPrint("revenue-sharing", "revenue-paid")).toBeUndefined();
    expect(eventTypeForContractPrint("grid-services", "frequency-deviation")).toBe("frequency.deviation");
  });

  it("names only topics the contracts really print", () => {
    for (const type of eventTypes) {
      const origin = eventCatalog[type].origin;
      if (origin.kind !== "chain") continue;
      const printed = contracts.find(({ contract }) => contract === origin.contract)?.topics ?? [];
      for (const topic of [origin.topic, ...(origin.folds ?? [])])
        expect(printed, `${type} from ${topic}`).toContain(topic);
    }
  });
});
