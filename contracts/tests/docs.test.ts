import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// docs/contracts.md is what integrators read: every error constant and every
// print topic of every contract must be listed there with its exact code.
const reference = readFileSync("docs/contracts.md", "utf8");
const contracts = readdirSync("contracts").filter((file) => file.endsWith(".clar"));

describe("docs/contracts.md", () => {
  it.each(contracts)("lists every error code and event topic of %s", (file) => {
    const source = readFileSync(`contracts/${file}`, "utf8");
    const errors = [...source.matchAll(/\(define-constant (ERR_[A-Z_]+) \(err (u\d+)\)\)/g)];
    const topics = new Set([...source.matchAll(/topic: "([a-z-]+)"/g)].map((match) => match[1]!));
    for (const conditional of source.matchAll(/topic: \(if [a-z-]+\s+"([a-z-]+)"\s+"([a-z-]+)"/g)) {
      topics.add(conditional[1]!);
      topics.add(conditional[2]!);
    }
    expect(errors.length).toBeGreaterThan(0);
    for (const [, name, code] of errors) {
      expect(reference, `${file}: ${code} ${name}`).toMatch(new RegExp(`\\|\\s*${code}\\s*\\|\\s*${name}\\s*\\|`));
    }
    for (const topic of topics) {
      expect(reference, `${file}: topic ${topic}`).toContain(`\`${topic}\``);
    }
  });
});
