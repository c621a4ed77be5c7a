// Contract deployment through a signed transaction, and a call that fails at
// runtime (an arithmetic underflow, which the simnet throws instead of
// returning): it must end as abort_by_response with no effect on state, its
// fee charged and nonce used, while the other transactions of its block succeed.
import { startDevnet, type Devnet } from "@voltstack/devnet";
import {
  Cl,
  ClarityVersion,
  cvToString,
  hexToCV,
  makeContractCall,
  makeContractDeploy,
  PostConditionMode,
} from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, broadcast, contractCall, getJson, getTx, stxBalance, type Signer } from "./devnet-client.js";

// Aborts rebuild the simnet, which takes seconds on a busy 2-core machine.
const REBUILD_TEST_TIMEOUT_MS = 180_000;

const BOOM_SOURCE = `
(define-data-var x uint u0)
(define-public (set-x (value uint)) (begin (var-set x value) (print { topic: "x-set", value: value }) (ok value)))
(define-public (boom (n uint)) (begin (var-set x u5) (ok (- n u1))))
`;

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
});

afterAll(async () => {
  await devnet?.stop();
});

function boomCall(signer: Signer, functionName: string, value: number, nonce: number) {
  return makeContractCall({
    contractAddress: account(devnet, "wallet_1").address,
    contractName: "boom",
    functionName,
    functionArgs: [Cl.uint(value)],
    senderKey: signer.secretKey,
    network: "devnet",
    nonce,
    fee: 1_000,
    postConditionMode: PostConditionMode.Deny,
  });
}

async function boomX(): Promise<string> {
  const { body } = await getJson<{ data: string }>(
    devnet,
    `/v2/data_var/${account(devnet, "wallet_1").address}/boom/x?proof=0`,
  );
  return cvToString(hexToCV(body.data));
}

describe("deployment and runtime errors", () => {
  it("deploys a contract from a signed transaction", async () => {
    const deployer = account(devnet, "wallet_1");
    const deploy = await makeContractDeploy({
      contractName: "boom",
      codeBody: BOOM_SOURCE,
      clarityVersion: ClarityVersion.Clarity3,
      senderKey: deployer.secretKey,
      network: "devnet",
      nonce: 0,
      fee: 10_000,
    });
    const txid = await broadcast(devnet, deploy);
    await devnet.mineBlock();
    expect((await getTx(devnet, txid)).tx_status).toBe("success");
    const contractInterface = await getJson<{ functions: { name: string }[] }>(
      devnet,
      `/v2/contracts/interface/${deployer.address}/boom`,
    );
    expect(contractInterface.body.functions.map((fn) => fn.name)).toEqual(expect.arrayContaining(["boom", "set-x"]));
  });

  it(
    "aborts a call that fails at runtime without touching state, and mines its neighbours",
    { timeout: REBUILD_TEST_TIMEOUT_MS },
    async () => {
      const failing = account(devnet, "wallet_1");
      const setter = account(devnet, "wallet_2");
      const registrant = account(devnet, "wallet_3");
      const failingBefore = await stxBalance(devnet, failing.address);

      const failingTxid = await broadcast(devnet, await boomCall(failing, "boom", 0, 1));
      const setterTxid = await broadcast(devnet, await boomCall(setter, "set-x", 7, 0));
      const registrantTxid = await broadcast(
        devnet,
        await contractCall(
          devnet,
          registrant,
          "facility-registry",
          "register-facility",
          [Cl.stringUtf8("Neighbour"), Cl.stringUtf8("NL"), Cl.uint(1), Cl.uint(1)],
          { nonce: 0 },
        ),
      );
      await devnet.mineBlock();

      const failed = await getTx(devnet, failingTxid);
      expect(failed.tx_status).toBe("abort_by_response");
      expect(failed.tx_result!.repr).toBe("(err none)");
      expect(failed.vm_error).toContain("ArithmeticUnderflow");
      expect(failed.events).toEqual([]);
      expect((await getTx(devnet, setterTxid)).tx_status).toBe("success");
      expect((await getTx(devnet, registrantTxid)).tx_status).toBe("success");
      // set-x stored 7; the failed call's (var-set x u5) was rolled back whatever the order.
      expect(await boomX()).toBe("u7");
      expect(await stxBalance(devnet, failing.address)).toBe(failingBefore - 1_000n);
      expect((await getJson(devnet, `/extended/v1/address/${failing.address}/nonces`)).body).toMatchObject({
        possible_next_nonce: 2,
      });

      const afterwards = await broadcast(devnet, await boomCall(failing, "set-x", 9, 2));
      await devnet.mineBlock();
      expect((await getTx(devnet, afterwards)).tx_status).toBe("success");
      expect(await boomX()).toBe("u9");
    },
  );
});
