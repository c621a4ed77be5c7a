import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainFollower, StacksChain } from "@voltstack/chain";
import { type Devnet, startDevnet } from "@voltstack/devnet";
import { freePort, waitFor } from "@voltstack/service-testing";
import { chainReadiness } from "../src/chain-readiness.js";

const DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const signal = new AbortController().signal;

describe("the Stacks API unreachable for a while", () => {
  let dataDir: string;
  let port: number;
  let devnet: Devnet | undefined;
  let chain: StacksChain;

  const start = async () => {
    devnet = await startDevnet({ port, blockIntervalMs: 0, dataDir });
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "chain-outage-"));
    port = await freePort();
    await start();
    chain = new StacksChain({
      network: "devnet",
      url: devnet!.url,
      contracts: { deployer: DEPLOYER },
      requestTimeoutMs: 5_000,
    });
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("takes readiness down while it lasts, and the follower's next pass after it works again", async () => {
    const follower = new ChainFollower(chain, { contract: "grid-services", fromHeight: 1 });
    const ready = () => chainReadiness(chain)(signal);
    await follower.head();
    await expect(ready()).resolves.toBeUndefined();

    await devnet!.stop();
    devnet = undefined;
    await expect(follower.head()).rejects.toMatchObject({ code: "NODE_UNREACHABLE" });
    await expect(ready()).rejects.toThrow(/did not answer: no answer to GET/);

    await start();
    // The follower's loop simply passes again: nothing in the client stays broken or paused.
    const head = await waitFor("a pass that reads the log again", () => follower.head().catch(() => undefined), 60_000);
    expect(head).toMatchObject({ total: expect.any(Number) });
    await expect(ready()).resolves.toBeUndefined();
  }, 180_000);
});
