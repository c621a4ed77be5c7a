import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropStackState } from "./stack-cleanup.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "@voltstack/cli";
import { SERVICE_NAMES } from "@voltstack/client";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import { externalChainFromEnv, type Stack, startStackOnChain } from "@voltstack/local-stack";
import { demoRequirements } from "../../cli/src/demo/demo-requirements.js";
import { databaseUrl, natsUrl } from "@voltstack/service-testing";

// `npm start` with STACKS_API_URL set: the five services run against a chain started
// elsewhere (here a devnet on a port of its own, standing in for testnet or a self-hosted
// API), with the operator's keys and callers, and start no devnet of their own.

let chain: Devnet;
let stack: Stack;
let stateDir: string;
const token = randomBytes(4).toString("hex");

function operatorEnv(devnet: Devnet): Record<string, string> {
  const account = (name: string) => devnet.accounts.get(name)!;
  const signers = ["deployer", "wallet_1", "wallet_2"];
  return {
    STACKS_API_URL: devnet.url,
    STACKS_NETWORK: "devnet",
    STACKS_API_REQUESTS_PER_MINUTE: "0",
    SIGNER_KEYS: JSON.stringify(
      signers.map((name) => ({ principal: account(name).address, privateKeyEnv: `E2E_KEY_${name.toUpperCase()}` })),
    ),
    VOLTSTACK_CALLERS: JSON.stringify([
      { name: "admin", role: "admin", principal: account("deployer").address },
      { name: "owner-1", role: "owner", principal: account("wallet_1").address },
      { name: "owner-2", role: "owner", principal: account("wallet_2").address },
    ]),
    VOLTSTACK_STAKEHOLDERS: ["wallet_3", "wallet_4", "wallet_5"].map((name) => account(name).address).join(","),
  };
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "voltstack-external-"));
  chain = await startDevnet({ port: 0, blockIntervalMs: 200, onError: () => undefined });
  const env = operatorEnv(chain);
  const keys = Object.fromEntries(
    ["deployer", "wallet_1", "wallet_2"].map((name) => [
      `E2E_KEY_${name.toUpperCase()}`,
      chain.accounts.get(name)!.secretKey,
    ]),
  );
  stack = await startStackOnChain({
    databaseUrl,
    natsUrl,
    stateDir,
    chain: externalChainFromEnv(env)!,
    ports: "free",
    schemaPrefix: `ext_${token}_`,
    subjectPrefix: `ext${token}.`,
    nodeEnv: "test",
    chainPollIntervalMs: 200,
    // The keys live in the variables SIGNER_KEYS names, as an operator's would.
    env: keys,
  });
}, 150_000);

afterAll(async () => {
  await stack?.stop();
  await chain?.stop();
  await dropStackState(stack ? Object.values(stack.schemas) : [], `ext${token}.`);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe("the system against a chain it did not start", () => {
  it("starts no devnet and points every service at the given API with the operator's keys only", () => {
    expect(stack).not.toHaveProperty("devnet");
    expect(stack.chainUrl).toBe(chain.url);
    const configured = JSON.parse(operatorEnv(chain).SIGNER_KEYS!) as unknown[];
    for (const name of SERVICE_NAMES) {
      const env = stack.serviceEnv(name);
      expect(env.STACKS_API_URL, name).toBe(chain.url);
      expect(env.STACKS_NETWORK, name).toBe("devnet");
      expect(JSON.parse(env.SIGNER_KEYS!), name).toEqual(configured);
      // No key of the local devnet's callers (the operator account wallet_8 above all) was added.
      expect(
        Object.keys(env).filter((variable) => variable.startsWith("SIGNER_KEY_")),
        name,
      ).toEqual([]);
    }
  });

  it("lets the demo start only when its callers are there and funded", async () => {
    expect(await demoRequirements(stack.chainUrl, stack.credentials, stack.stakeholders)).toEqual([]);
    // An owner nobody funded: the demo says who, what it holds and what it needs.
    const unfunded = stack.credentials.map((credential) =>
      credential.name === "owner-2"
        ? { ...credential, principal: "ST22EHHP2WX228ZJCBTANXT281Y36VPQFT71N5JKA" }
        : credential,
    );
    const problems = await demoRequirements(stack.chainUrl, unfunded, stack.stakeholders);
    expect(problems).toEqual([expect.stringMatching(/^owner-2 \(ST22EHHP.*\) holds 0 µSTX and needs at least/)]);
    expect(await demoRequirements(stack.chainUrl, stack.credentials.slice(0, 1), [])).toEqual([
      "The demo needs a caller named owner-1 with role owner (VOLTSTACK_CALLERS), a caller named owner-2 with role owner (VOLTSTACK_CALLERS), three stakeholder addresses (VOLTSTACK_STAKEHOLDERS).",
    ]);
  });

  it("runs the demo on that chain: its transactions are mined there and followed into the read models", async () => {
    const caller = (name: string) => {
      const credential = stack.credentials.find((candidate) => candidate.name === name)!;
      return { apiKey: credential.apiKey, principal: credential.principal };
    };
    const urls = Object.fromEntries(SERVICE_NAMES.map((name) => [name, stack.services[name].url]));
    const report = await runDemo({
      urls: urls as Parameters<typeof runDemo>[0]["urls"],
      devnetUrl: stack.chainUrl,
      callers: { admin: caller("admin"), ownerA: caller("owner-1"), ownerB: caller("owner-2") },
      stakeholders: stack.stakeholders as [string, string, string],
    });
    expect(report.conserved).toBe(true);
    for (const step of report.steps) {
      const response = await fetch(`${chain.url}/extended/v3/transactions/${step.txid}`);
      expect(response.status, step.step).toBe(200);
      // The v3 shape: `status`, and the block it was mined in.
      const transaction = (await response.json()) as { status: string; block: { height: number } };
      expect(transaction, step.step).toMatchObject({ status: "success", block: { height: step.blockHeight } });
    }
  }, 180_000);
});
