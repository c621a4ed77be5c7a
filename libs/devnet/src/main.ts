// `npm run devnet`: starts the local development chain and prints its URL and
// accounts. PORT or DEVNET_PORT choose the port (default 3999), DEVNET_HOST the
// interface, DEVNET_DATA_DIR where the chain is kept (default .devnet/),
// DEVNET_BLOCK_INTERVAL_MS the block time (default 1000). `--empty` starts a chain
// with the accounts funded and none of the contracts deployed (kept in
// .devnet-empty/ by default, apart from the full chain's data).
import { resolve } from "node:path";
import { DEFAULT_DEVNET_PORT, startDevnet } from "./index.js";

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`INVALID_ENV: ${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const empty = process.argv.slice(2).includes("--empty");
const port = numberFromEnv("DEVNET_PORT", numberFromEnv("PORT", DEFAULT_DEVNET_PORT));
const dataDir = resolve(process.env.DEVNET_DATA_DIR ?? (empty ? ".devnet-empty" : ".devnet"));
const devnet = await startDevnet({
  port,
  host: process.env.DEVNET_HOST ?? "127.0.0.1",
  dataDir,
  blockIntervalMs: numberFromEnv("DEVNET_BLOCK_INTERVAL_MS", 1000),
  ...(process.env.DEVNET_MANIFEST ? { manifestPath: resolve(process.env.DEVNET_MANIFEST) } : {}),
  empty,
});

console.log(`voltstack devnet listening on ${devnet.url}`);
console.log("This is a development chain running the Clarity VM (Clarinet SDK simnet), not a Stacks node.");
console.log(`chain data: ${dataDir}`);
if (empty) console.log("empty chain: no contracts deployed (npx voltstack deploy --network devnet ...)");
console.log("accounts (published devnet keys, worthless elsewhere):");
for (const [name, account] of devnet.accounts) {
  console.log(`  ${name.padEnd(9)} ${account.address}  ${account.secretKey}`);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    devnet.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
