// Contract calls per second through the client and the devnet (one signer, then a
// pool of four), against direct simnet calls of the same function in the same run.
// Prints one markdown section.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl } from "@stacks/transactions";
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { GridServicesClient, PrivateKeySigner, StacksChain } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const manifest = join(here, "..", "..", "..", "Clarinet.toml");
const BLOCK_INTERVAL_MS = 20;
const ONE_SIGNER_CALLS = 250;
const POOL_CALLS = 500;
const DIRECT_CALLS = 2_000;
const ORACLES = ["wallet_5", "wallet_6", "wallet_7", "wallet_8"];

function quietly<T>(run: () => Promise<T>): Promise<T> {
  const { log, info } = console;
  console.log = () => undefined;
  console.info = () => undefined;
  return run().finally(() => {
    console.log = log;
    console.info = info;
  });
}

async function directSimnet(): Promise<number> {
  const simnet = await quietly(() => initSimnet(manifest, true));
  const deployer = simnet.getAccounts().get("deployer") as string;
  const oracle = simnet.getAccounts().get("wallet_5") as string;
  let elapsedMs = 0;
  await quietly(async () => {
    simnet.callPublicFn("grid-services", "set-oracle", [Cl.principal(oracle), Cl.bool(true)], deployer);
    const started = performance.now();
    for (let i = 0; i < DIRECT_CALLS; i += 1)
      simnet.callPublicFn("grid-services", "report-frequency", [Cl.uint(50_000 + (i % 100))], oracle);
    elapsedMs = performance.now() - started;
  });
  return DIRECT_CALLS / (elapsedMs / 1000);
}

interface DevnetProcess {
  url: string;
  accounts: Map<string, { address: string; secretKey: string }>;
  stop(): void;
}

/** The devnet in its own process, as it runs in development, so that it and the client each have a core. */
async function spawnDevnet(): Promise<DevnetProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=voltstack-source", join(here, "devnet-process.ts"), String(BLOCK_INTERVAL_MS)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = await new Promise<string[]>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (first) => resolve([first]));
    child.once("exit", (code) => reject(new Error(`the devnet process exited with ${code}`)));
  });
  const started = JSON.parse(line as string) as {
    url: string;
    accounts: Record<string, { address: string; secretKey: string }>;
  };
  return {
    url: started.url,
    accounts: new Map(Object.entries(started.accounts)),
    stop: () => {
      child.stdout.destroy();
      child.kill("SIGTERM");
    },
  };
}

async function main(): Promise<void> {
  const directRate = await directSimnet();
  const devnet = await spawnDevnet();
  try {
    const deployer = devnet.accounts.get("deployer")!;
    const chain = new StacksChain({
      network: "devnet",
      url: devnet.url,
      contracts: { deployer: deployer.address },
      confirmation: { pollIntervalMs: 10, timeoutMs: 120_000 },
      sender: { pollIntervalMs: 10 },
    });
    const admin = new GridServicesClient(chain, {
      sender: await chain.callSender(new PrivateKeySigner(deployer.secretKey, chain.network.stacksNetwork)),
    });
    const signers = ORACLES.map(
      (name) => new PrivateKeySigner(devnet.accounts.get(name)!.secretKey, chain.network.stacksNetwork),
    );
    await Promise.all(signers.map((s) => admin.setOracle(s.address, true)));

    const one = new GridServicesClient(chain, { sender: await chain.callSender(signers[0]!) });
    let started = performance.now();
    await Promise.all(
      Array.from({ length: ONE_SIGNER_CALLS }, (_, i) => one.reportFrequency(BigInt(50_000 + (i % 100)))),
    );
    const oneRate = ONE_SIGNER_CALLS / ((performance.now() - started) / 1000);

    const pool = new GridServicesClient(chain, { sender: await chain.callSender(signers) });
    started = performance.now();
    await Promise.all(Array.from({ length: POOL_CALLS }, (_, i) => pool.reportFrequency(BigInt(50_000 + (i % 100)))));
    const poolRate = POOL_CALLS / ((performance.now() - started) / 1000);

    const fmt = (n: number) => n.toFixed(0);
    console.log(
      [
        "## Chain client and devnet throughput",
        "",
        "Signed `grid-services.report-frequency` contract calls sent through `@voltstack/chain` (fee estimate cached per function, nonce, signing, broadcast,",
        `confirmation polling) to \`@voltstack/devnet\` over HTTP in its own process (blocks every ${BLOCK_INTERVAL_MS} ms), from the first submit to the last confirmed`,
        `result. Baseline in the same run: ${DIRECT_CALLS} direct \`simnet.callPublicFn\` calls of the same function in-process.`,
        "",
        "| Path | Calls | Calls/s | Overhead vs direct simnet |",
        "|---|---:|---:|---:|",
        `| Direct simnet (baseline) | ${DIRECT_CALLS} | ${fmt(directRate)} | 1.0x |`,
        `| Client + devnet, one signer (25 chained) | ${ONE_SIGNER_CALLS} | ${fmt(oneRate)} | ${(directRate / oneRate).toFixed(1)}x |`,
        `| Client + devnet, pool of four signers | ${POOL_CALLS} | ${fmt(poolRate)} | ${(directRate / poolRate).toFixed(1)}x |`,
        "",
        `Load average (1 min) at the end of the run: ${loadavg()[0]!.toFixed(1)} on this machine's cores; other work on the machine slows both paths.`,
        "",
        `Goal: at least 200 contract calls/s and less than 2x overhead. Pool: ${poolRate >= 200 ? "meets" : "misses"} the rate goal, ` +
          `${directRate / poolRate < 2 ? "meets" : "misses"} the overhead goal.`,
        "",
      ].join("\n"),
    );
  } finally {
    devnet.stop();
  }
}

await main();
