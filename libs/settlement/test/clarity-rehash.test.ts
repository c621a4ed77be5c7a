import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initSimnet, type Simnet } from "@stacks/clarinet-sdk";
import { Cl, type ClarityValue } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerClarityValue, leafHash, lineClarityValue, reportHeader, reportRoot } from "../src/index.js";
import { exampleReport } from "./example-report.js";

// The same hashes computed by Clarity itself (to-consensus-buff? and sha256 in a simnet): the
// encoding is what a contract would produce, not only what the JavaScript serialiser produces.
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./clarity/settlement-hash.clar", import.meta.url));

const MANIFEST = `[project]
name = "settlement-hash"
telemetry = false
cache_dir = "./.cache"
requirements = []

[contracts.settlement-hash]
path = "contracts/settlement-hash.clar"
clarity_version = 4
epoch = "3.3"
`;

describe("the report's hashes computed in Clarity", () => {
  let workdir: string;
  let simnet: Simnet;
  let deployer: string;

  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), "voltstack-settlement-"));
    writeFileSync(join(workdir, "Clarinet.toml"), MANIFEST);
    cpSync(join(repositoryRoot, "settings"), join(workdir, "settings"), { recursive: true });
    cpSync(fixture, join(workdir, "contracts", "settlement-hash.clar"), { recursive: true });
    simnet = await initSimnet(join(workdir, "Clarinet.toml"), true);
    deployer = simnet.getAccounts().get("deployer") as string;
  });

  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  const call = (method: string, args: ClarityValue[]): string => {
    const { result } = simnet.callReadOnlyFn("settlement-hash", method, args, deployer);
    expect(result.type).toBe("buffer");
    return (result as { value: string }).value;
  };

  it("gives each line the library's leaf hash", () => {
    for (const line of exampleReport().lines) {
      expect(call("leaf-hash", [lineClarityValue(line)])).toBe(Buffer.from(leafHash(line)).toString("hex"));
    }
  });

  it("gives the report the library's root (the third leaf promoted)", () => {
    const report = exampleReport();
    const [first, second, third] = report.lines.map((line) => call("leaf-hash", [lineClarityValue(line)])) as [
      string,
      string,
      string,
    ];
    const pair = call("node-hash", [Cl.bufferFromHex(first), Cl.bufferFromHex(second)]);
    const linesRoot = call("node-hash", [Cl.bufferFromHex(pair), Cl.bufferFromHex(third)]);
    const root = call("report-root", [headerClarityValue(reportHeader(report)), Cl.bufferFromHex(linesRoot)]);
    expect(root).toBe(reportRoot(report));
    expect(root).toBe("6f9353616f8d19d7535a580388fcaf5d1320cb7a908c3b9a77eb46803e23b7cc");
  });
});
