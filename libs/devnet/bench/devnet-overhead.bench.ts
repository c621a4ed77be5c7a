// The devnet's own overhead: the same contract call run directly in the simnet
// and sent through the devnet over HTTP, in one run on the same machine.
// Direct: simnet.callPublicFn (one block per call, as contract tests do) and
// simnet.mineBlock with all calls in one block. Devnet: a devnet in its own
// process, as services use it; transactions signed in advance (signing is the
// client's cost, not the devnet's), posted over HTTP from this process (16 at a
// time), then mined with mineBlock() until all are confirmed; admission (decode,
// signature check, mempool rules) and mining are also timed apart. Prints one
// markdown section.
import { initSimnet, tx } from "@stacks/clarinet-sdk";
import { Cl, makeContractCall, PostConditionMode, type StacksTransactionWire } from "@stacks/transactions";
import { fork } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { defaultManifestPath } from "../src/index.js";

const ROUNDS = 2;
const CHAIN_DEPTH = 25;
const CONCURRENCY = 16;

const args = (name: string) => [Cl.stringUtf8(name), Cl.stringUtf8("Bench site"), Cl.uint(2_000), Cl.uint(500)];
const perSecond = (count: number, ms: number) => (count * 1000) / ms;
const fmt = (value: number) => value.toFixed(0);

async function silenced<T>(run: () => Promise<T>): Promise<T> {
  const { log, info } = console;
  console.log = () => undefined;
  console.info = () => undefined;
  try {
    return await run();
  } finally {
    console.log = log;
    console.info = info;
  }
}

const simnet = await silenced(() => initSimnet(defaultManifestPath(), true));
const simnetAccounts = [...simnet.getAccounts().values()];
const total = ROUNDS * CHAIN_DEPTH * simnetAccounts.length;

const quiet = <T>(run: () => T): T => {
  const { log } = console;
  console.log = () => undefined;
  try {
    return run();
  } finally {
    console.log = log;
  }
};

// Warm-up so neither side pays JIT and first-call costs in the measurement.
quiet(() =>
  simnet.mineBlock(
    simnetAccounts.map((sender, i) =>
      tx.callPublicFn("facility-registry", "register-facility", args(`warm ${i}`), sender),
    ),
  ),
);

let started = performance.now();
quiet(() => {
  for (let i = 0; i < total; i += 1) {
    simnet.callPublicFn(
      "facility-registry",
      "register-facility",
      args(`direct ${i}`),
      simnetAccounts[i % simnetAccounts.length]!,
    );
  }
});
const directCallMs = performance.now() - started;

started = performance.now();
quiet(() =>
  simnet.mineBlock(
    Array.from({ length: total }, (_, i) =>
      tx.callPublicFn(
        "facility-registry",
        "register-facility",
        args(`batch ${i}`),
        simnetAccounts[i % simnetAccounts.length]!,
      ),
    ),
  ),
);
const directBlockMs = performance.now() - started;

interface ServerHello {
  url: string;
  accounts: Record<string, { address: string; secretKey: string }>;
}

const server = fork(fileURLToPath(new URL("./devnet-server-process.ts", import.meta.url)), [], {
  execArgv: process.execArgv,
  stdio: ["ignore", "ignore", "inherit", "ipc"],
});
const nextMessage = <T>() => new Promise<T>((resolve) => server.once("message", (message) => resolve(message as T)));
const hello = await nextMessage<ServerHello>();
const devnetUrl = hello.url;
const signers = Object.values(hello.accounts);
const deployer = hello.accounts.deployer!.address;

async function mineBlock(): Promise<number> {
  const reply = nextMessage<{ height?: number; error?: string }>();
  server.send("mine");
  const { height, error } = await reply;
  if (height === undefined) throw new Error(`mining failed: ${error}`);
  return height;
}

const rounds: StacksTransactionWire[][] = [];
for (let round = 0; round < ROUNDS + 1; round += 1) {
  const batch: StacksTransactionWire[] = [];
  for (let depth = 0; depth < CHAIN_DEPTH; depth += 1) {
    for (const signer of signers) {
      batch.push(
        await makeContractCall({
          contractAddress: deployer,
          contractName: "facility-registry",
          functionName: "register-facility",
          functionArgs: args(`devnet ${round}.${depth}`),
          senderKey: signer.secretKey,
          network: "devnet",
          nonce: round * CHAIN_DEPTH + depth,
          fee: 1_000,
          postConditionMode: PostConditionMode.Deny,
        }),
      );
    }
  }
  rounds.push(batch);
}

// node:http with a keep-alive agent rather than fetch: the poster should cost as
// little as possible, since what is measured is the devnet.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function postOne(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${devnetUrl}/v2/transactions`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`broadcast refused: ${Buffer.concat(chunks).toString("utf8")}`)),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function post(batch: StacksTransactionWire[]): Promise<void> {
  const bodies = batch.map((item) => JSON.stringify({ tx: item.serialize() }));
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) await postOne(bodies[next++]!);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

// Round 0 warms the devnet's path (signature key cache, JIT) and is not measured.
await post(rounds[0]!);
await mineBlock();

let admissionMs = 0;
let miningMs = 0;
started = performance.now();
for (const batch of rounds.slice(1)) {
  const admitStart = performance.now();
  await post(batch);
  admissionMs += performance.now() - admitStart;
  const mineStart = performance.now();
  await mineBlock();
  miningMs += performance.now() - mineStart;
}
const devnetMs = performance.now() - started;

const last = rounds[ROUNDS]![rounds[ROUNDS]!.length - 1]!;
const status = (await (await fetch(`${devnetUrl}/extended/v1/tx/0x${last.txid()}`)).json()) as { tx_status: string };
agent.destroy();
server.send("stop");
if (status.tx_status !== "success") throw new Error(`last transaction ended ${status.tx_status}`);

const directRate = perSecond(total, directCallMs);
const directBlockRate = perSecond(total, directBlockMs);
const devnetRate = perSecond(total, devnetMs);

console.log(`## Devnet overhead against the simnet

What was measured: ${total} calls of \`facility-registry.register-facility\` (${signers.length} senders, ${CHAIN_DEPTH} chained transactions each per round, ${ROUNDS} rounds) in one run on this machine (2 cores, shared).
Baselines, in the same run: the simnet called directly, one block per call (\`simnet.callPublicFn\`), and all calls in one \`simnet.mineBlock\`.
Devnet: in its own process, as services use it; pre-signed transactions posted over HTTP from the benchmark process (${CONCURRENCY} in flight), then \`mineBlock()\` per round; signing is not included (the client's cost).

| path | calls/s | ms per call | ratio to direct callPublicFn |
| --- | ---: | ---: | ---: |
| simnet.callPublicFn (direct) | ${fmt(directRate)} | ${(directCallMs / total).toFixed(2)} | 1.00 |
| simnet.mineBlock, one block (direct) | ${fmt(directBlockRate)} | ${(directBlockMs / total).toFixed(2)} | ${(directRate / directBlockRate).toFixed(2)} |
| devnet over HTTP, admission + mining | ${fmt(devnetRate)} | ${(devnetMs / total).toFixed(2)} | ${(directRate / devnetRate).toFixed(2)} |
| devnet admission only (HTTP, decode, signature, mempool) | ${fmt(perSecond(total, admissionMs))} | ${(admissionMs / total).toFixed(2)} | |
| devnet mining only (fees + calls + post-condition checks) | ${fmt(perSecond(total, miningMs))} | ${(miningMs / total).toFixed(2)} | |

The ratio column is the time per call relative to a direct \`callPublicFn\` (above 1 means slower). The issue's goal: under 2x, and at least 200 contract calls per second.
`);
process.exit(0);
