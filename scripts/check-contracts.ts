// Offline stand-in for `clarinet check`: loads every contract of Clarinet.toml
// into a fresh simnet. The SDK reports a type error in one contract as "use of
// unresolved contract" in every contract that calls it, so on failure the
// contracts are loaded again one more at a time, in deployment order, and the
// first contract that fails is named with its own error.
// It stands in for the type check only: @stacks/clarinet-sdk 3.21 does not run
// the check_checker pass of Clarinet.toml's [repl.analysis] (a public function
// that stores an unchecked argument loads without a word, strict or not), so
// the checker's findings show only in `clarinet check`.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initSimnet } from "@stacks/clarinet-sdk";
import { parse, stringify } from "smol-toml";

type Manifest = { contracts: Record<string, { path: string }> } & Record<string, unknown>;

async function tryLoad(manifestPath: string): Promise<string | undefined> {
  try {
    await initSimnet(manifestPath, true);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function findFirstBrokenContract(manifest: Manifest): Promise<[string, string] | undefined> {
  const names = Object.keys(manifest.contracts);
  const workdir = mkdtempSync(join(tmpdir(), "voltstack-check-"));
  try {
    cpSync("settings", join(workdir, "settings"), { recursive: true });
    cpSync("contracts", join(workdir, "contracts"), { recursive: true });
    for (let count = 1; count <= names.length; count += 1) {
      const prefix = Object.fromEntries(names.slice(0, count).map((name) => [name, manifest.contracts[name]]));
      writeFileSync(join(workdir, "Clarinet.toml"), stringify({ ...manifest, contracts: prefix }));
      const error = await tryLoad(join(workdir, "Clarinet.toml"));
      if (error) return [names[count - 1]!, error];
    }
    return undefined;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

const manifest = parse(readFileSync("Clarinet.toml", "utf8")) as Manifest;
const error = await tryLoad("./Clarinet.toml");
if (error === undefined) {
  console.log(`contracts ok: ${Object.keys(manifest.contracts).join(", ")}`);
} else {
  const culprit = await findFirstBrokenContract(manifest);
  console.error(
    culprit ? `contract check failed in ${culprit[0]}:\n${culprit[1]}` : `contract check failed:\n${error}`,
  );
  process.exit(1);
}
