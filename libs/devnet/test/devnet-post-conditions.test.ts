// Post-conditions enforced against the STX a call actually moved. A call aborted
// by its post-conditions must leave no trace on balances or contract state (its
// fee and nonce aside), even though the simnet commits effects as it runs, and a
// transaction mined in the same block must keep its effects.
import { startDevnet, type Devnet } from "@voltstack/devnet";
import {
  Cl,
  PostConditionMode,
  Pc,
  cvToString,
  fetchCallReadOnlyFunction,
  fetchNonce,
  type ClarityValue,
} from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, getTx, stxBalance } from "./devnet-client.js";

// Aborts rebuild the simnet, which takes seconds on a busy 2-core machine.
const REBUILD_TEST_TIMEOUT_MS = 180_000;

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
});

afterAll(async () => {
  await devnet?.stop();
});

async function readOnly(functionName: string, args: ClarityValue[] = [], contract = "grid-services"): Promise<string> {
  const deployer = account(devnet, "deployer").address;
  const value = await fetchCallReadOnlyFunction({
    contractAddress: deployer,
    contractName: contract,
    functionName,
    functionArgs: args,
    senderAddress: deployer,
    network: "devnet",
    client: { baseUrl: devnet.url },
  });
  return cvToString(value);
}

async function requestArgs(paymentUstx: bigint): Promise<ClarityValue[]> {
  const info = await getJson<{ stacks_tip_height: number }>(devnet, "/v2/info");
  return [
    Cl.stringAscii("frequency-regulation"),
    Cl.uint(400),
    Cl.uint(800),
    Cl.uint(paymentUstx),
    Cl.uint(info.body.stacks_tip_height + 100),
  ];
}

describe("post-conditions", () => {
  it(
    "aborts an unlisted STX movement in Deny mode and leaves no trace but the fee and nonce",
    { timeout: REBUILD_TEST_TIMEOUT_MS },
    async () => {
      const admin = account(devnet, "deployer");
      const owner = account(devnet, "wallet_1");
      const escrow = `${admin.address}.grid-services`;
      const paymentUstx = 1_234_567n;
      const adminBefore = await stxBalance(devnet, admin.address);
      const escrowBefore = await stxBalance(devnet, escrow);

      const unguarded = await broadcast(
        devnet,
        await contractCall(devnet, admin, "grid-services", "create-service-request", await requestArgs(paymentUstx), {
          nonce: 0,
          fee: 2_000,
        }),
      );
      const neighbour = await broadcast(
        devnet,
        await contractCall(
          devnet,
          owner,
          "facility-registry",
          "register-facility",
          [Cl.stringUtf8("Same block"), Cl.stringUtf8("NL"), Cl.uint(10), Cl.uint(5)],
          { nonce: 0 },
        ),
      );
      const height = await devnet.mineBlock();

      const aborted = await getTx(devnet, unguarded);
      expect(aborted).toMatchObject({ tx_status: "abort_by_post_condition", block_height: height, events: [] });
      expect(aborted.tx_result!.repr).toBe("(ok u1)");
      expect(aborted.vm_error).toContain(admin.address);
      expect(await stxBalance(devnet, admin.address)).toBe(adminBefore - 2_000n);
      expect(await stxBalance(devnet, escrow)).toBe(escrowBefore);
      expect(await readOnly("get-last-request-id")).toBe("u0");
      expect(await readOnly("get-escrowed-ustx")).toBe("u0");
      expect(await fetchNonce({ address: admin.address, network: "devnet", client: { baseUrl: devnet.url } })).toBe(1n);

      const kept = await getTx(devnet, neighbour);
      expect(kept).toMatchObject({ tx_status: "success", block_height: height });
      expect(await readOnly("get-last-facility-id", [], "facility-registry")).toBe("u1");

      const guarded = await broadcast(
        devnet,
        await contractCall(devnet, admin, "grid-services", "create-service-request", await requestArgs(paymentUstx), {
          nonce: 1,
          postConditions: [Pc.principal(admin.address).willSendEq(paymentUstx).ustx()],
        }),
      );
      await devnet.mineBlock();
      const succeeded = await getTx(devnet, guarded);
      expect(succeeded.tx_status).toBe("success");
      // The aborted call did not consume request id u1.
      expect(succeeded.tx_result!.repr).toBe("(ok u1)");
      expect(await stxBalance(devnet, escrow)).toBe(escrowBefore + paymentUstx);
      expect(await readOnly("get-escrowed-ustx")).toBe(`u${paymentUstx}`);
    },
  );

  it(
    "aborts when a listed condition does not hold and lets Allow mode through",
    { timeout: REBUILD_TEST_TIMEOUT_MS },
    async () => {
      const admin = account(devnet, "deployer");
      const nonce = Number(
        await fetchNonce({ address: admin.address, network: "devnet", client: { baseUrl: devnet.url } }),
      );
      const wrongAmount = await broadcast(
        devnet,
        await contractCall(devnet, admin, "grid-services", "create-service-request", await requestArgs(500n), {
          nonce,
          postConditions: [Pc.principal(admin.address).willSendLte(499n).ustx()],
        }),
      );
      const allowed = await broadcast(
        devnet,
        await contractCall(devnet, admin, "grid-services", "create-service-request", await requestArgs(700n), {
          nonce: nonce + 1,
          mode: PostConditionMode.Allow,
        }),
      );
      await devnet.mineBlock();
      expect((await getTx(devnet, wrongAmount)).tx_status).toBe("abort_by_post_condition");
      const allowedTx = await getTx(devnet, allowed);
      expect(allowedTx.tx_status).toBe("success");
      expect(allowedTx.events!.map((event) => event.event_type).sort()).toEqual(["smart_contract_log", "stx_asset"]);
      expect(await readOnly("get-last-request-id")).toBe("u2");
    },
  );
});
