// The devnet over HTTP with real signed transactions: status transitions and
// events, contract errors, the mempool's nonce, chaining, fee and signature
// rules, read-only calls and the block-by-block view a follower reads.
// Each test signs with its own account so their nonces never interact.
import { startDevnet, type Devnet } from "@voltstack/devnet";
import {
  Cl,
  ClarityType,
  cvToString,
  fetchCallReadOnlyFunction,
  fetchNonce,
  hexToCV,
  makeContractCall,
  PostConditionMode,
} from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  account,
  broadcast,
  contractCall,
  getJson,
  getTx,
  postTransaction,
  stxBalance,
  stxTransfer,
} from "./devnet-client.js";

let devnet: Devnet;

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
});

afterAll(async () => {
  await devnet?.stop();
});

const registerArgs = (name: string) => [Cl.stringUtf8(name), Cl.stringUtf8("Rotterdam"), Cl.uint(2_000), Cl.uint(500)];

describe("transaction status", () => {
  it("goes from pending to success with the call's print events", async () => {
    const owner = account(devnet, "wallet_1");
    const tx = await contractCall(devnet, owner, "facility-registry", "register-facility", registerArgs("Harbour 1"), {
      nonce: 0,
    });
    const txid = await broadcast(devnet, tx);
    expect(txid).toBe(tx.txid());

    const pending = await getTx(devnet, txid);
    expect(pending.tx_status).toBe("pending");
    expect(pending.block_height).toBeUndefined();

    const height = await devnet.mineBlock();
    const mined = await getTx(devnet, txid);
    expect(mined).toMatchObject({ tx_status: "success", block_height: height, canonical: true, tx_index: 0, nonce: 0 });
    expect(hexToCV(mined.tx_result!.hex).type).toBe(ClarityType.ResponseOk);
    const logs = mined.events!.filter((event) => event.event_type === "smart_contract_log");
    expect(logs).toHaveLength(1);
    expect(logs[0]!.contract_log!.contract_id).toBe(`${account(devnet, "deployer").address}.facility-registry`);
    expect(logs[0]!.contract_log!.topic).toBe("print");
    expect(logs[0]!.contract_log!.value.repr).toContain('(topic "facility-registered")');
    expect(logs[0]!.contract_log!.value.repr).toContain(`(owner ${owner.address})`);

    const nonces = await getJson<{ possible_next_nonce: number; last_executed_tx_nonce: number }>(
      devnet,
      `/extended/v1/address/${owner.address}/nonces`,
    );
    expect(nonces.body).toMatchObject({ possible_next_nonce: 1, last_executed_tx_nonce: 0 });
  });

  it("records a contract error as abort_by_response with the decoded (err uNNN)", async () => {
    const owner = account(devnet, "wallet_2");
    const txid = await broadcast(
      devnet,
      await contractCall(devnet, owner, "facility-registry", "register-facility", registerArgs(""), { nonce: 0 }),
    );
    await devnet.mineBlock();
    const mined = await getTx(devnet, txid);
    expect(mined.tx_status).toBe("abort_by_response");
    expect(mined.tx_result!.repr).toBe("(err u1001)");
    expect(cvToString(hexToCV(mined.tx_result!.hex))).toBe("(err u1001)");
    expect(mined.events).toEqual([]);
    // An aborted transaction still uses its nonce.
    expect(await fetchNonce({ address: owner.address, network: "devnet", client: { baseUrl: devnet.url } })).toBe(1n);
  });

  it("moves STX with a token transfer and reports the stx_asset event and the fee", async () => {
    const sender = account(devnet, "wallet_6");
    const recipient = account(devnet, "wallet_7").address;
    const senderBefore = await stxBalance(devnet, sender.address);
    const recipientBefore = await stxBalance(devnet, recipient);
    const txid = await broadcast(devnet, await stxTransfer(sender, recipient, 12_345n, 0));
    await devnet.mineBlock();
    const mined = await getTx(devnet, txid);
    expect(mined.tx_status).toBe("success");
    expect(mined.events).toEqual([
      expect.objectContaining({
        event_type: "stx_asset",
        asset: expect.objectContaining({
          asset_event_type: "transfer",
          sender: sender.address,
          recipient,
          amount: "12345",
        }),
      }),
    ]);
    expect(await stxBalance(devnet, recipient)).toBe(recipientBefore + 12_345n);
    expect(await stxBalance(devnet, sender.address)).toBe(senderBefore - 12_345n - 1_000n);
  });
});

describe("mempool rules", () => {
  it("refuses a reused nonce with BadNonce and its expected and actual nonces", async () => {
    const signer = account(devnet, "wallet_3");
    const first = await contractCall(
      devnet,
      signer,
      "facility-registry",
      "register-facility",
      registerArgs("Nonce 0"),
      { nonce: 0 },
    );
    await broadcast(devnet, first);
    await devnet.mineBlock();

    const replay = await postTransaction(devnet, first);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({
      error: "transaction rejected",
      reason: "BadNonce",
      reason_data: { expected: 1, actual: 0, principal: signer.address, is_origin: true },
      txid: first.txid(),
    });
    const reused = await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Again"), {
      nonce: 0,
    });
    expect((await postTransaction(devnet, reused)).body).toMatchObject({ reason: "BadNonce" });
  });

  it("keeps a transaction after a nonce gap pending until the gap is filled", async () => {
    const signer = account(devnet, "wallet_4");
    const later = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Gap 1"), { nonce: 1 }),
    );
    await devnet.mineBlock();
    expect((await getTx(devnet, later)).tx_status).toBe("pending");
    const nonces = await getJson(devnet, `/extended/v1/address/${signer.address}/nonces`);
    // As the API computes it (PgStore.getAddressNonces): gaps are looked for only
    // above a confirmed nonce, so an account with none reports no missing nonce.
    expect(nonces.body).toEqual({
      last_executed_tx_nonce: null,
      last_mempool_tx_nonce: 1,
      possible_next_nonce: 2,
      detected_missing_nonces: [],
      detected_mempool_nonces: [],
    });

    const filler = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Gap 0"), { nonce: 0 }),
    );
    const height = await devnet.mineBlock();
    const [first, second] = [await getTx(devnet, filler), await getTx(devnet, later)];
    expect(first).toMatchObject({ tx_status: "success", block_height: height });
    expect(second).toMatchObject({ tx_status: "success", block_height: height });
    expect(first.tx_index).toBeLessThan(second.tx_index!);
    expect((await getJson(devnet, `/extended/v1/address/${signer.address}/nonces`)).body).toMatchObject({
      last_executed_tx_nonce: 1,
      possible_next_nonce: 2,
      detected_missing_nonces: [],
    });
  });

  it("accepts 25 chained transactions from one sender, refuses the 26th, and mines them in nonce order", async () => {
    const signer = account(devnet, "wallet_5");
    const txids: string[] = [];
    for (let nonce = 0; nonce < 25; nonce += 1) {
      txids.push(
        await broadcast(
          devnet,
          await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs(`Chain ${nonce}`), {
            nonce,
          }),
        ),
      );
    }
    const tooFar = await postTransaction(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Chain 25"), {
        nonce: 25,
      }),
    );
    expect(tooFar.status).toBe(400);
    expect(tooFar.body).toMatchObject({
      reason: "TooMuchChaining",
      reason_data: { expected: 24, actual: 25, principal: signer.address },
    });
    const conflicting = await postTransaction(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Other 3"), {
        nonce: 3,
      }),
    );
    expect(conflicting.body).toMatchObject({ reason: "ConflictingNonceInMempool" });

    await devnet.mineBlock();
    const mined = await Promise.all(txids.map((txid) => getTx(devnet, txid)));
    expect(mined.every((tx) => tx.tx_status === "success")).toBe(true);
    const indexes = mined.map((tx) => tx.tx_index!);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(
      (
        await postTransaction(
          devnet,
          await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Chain 25"), {
            nonce: 25,
          }),
        )
      ).status,
    ).toBe(200);
  });

  it("refuses a fee below the minimum with FeeTooLow", async () => {
    const signer = account(devnet, "wallet_8");
    const cheap = await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Cheap"), {
      nonce: 0,
      fee: 10,
    });
    const reply = await postTransaction(devnet, cheap);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ reason: "FeeTooLow", reason_data: { actual: 10 } });
    expect((reply.body as { reason_data: { expected: number } }).reason_data.expected).toBeGreaterThan(10);
  });

  it("rejects a transaction whose signature was tampered with", async () => {
    const signer = account(devnet, "wallet_8");
    const hex = (
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Tamper"), { nonce: 0 })
    ).serialize();
    // The signature's last byte sits right before the anchor mode, post-condition mode and payload.
    const signatureEnd = 2 * 109;
    const flipped = (parseInt(hex.slice(signatureEnd - 2, signatureEnd), 16) ^ 0x01).toString(16).padStart(2, "0");
    const reply = await postTransaction(devnet, hex.slice(0, signatureEnd - 2) + flipped + hex.slice(signatureEnd));
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: "transaction rejected", reason: "SignatureValidation" });
  });

  it("answers malformed transactions, unknown contracts and bad arguments with the node's error shape", async () => {
    const signer = account(devnet, "wallet_8");
    for (const body of ["0x00ff", "not hex at all"]) {
      const reply = await postTransaction(devnet, body);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: "transaction rejected", reason: "Deserialization" });
    }
    const notJson = await fetch(`${devnet.url}/v2/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);

    const unknown = await makeContractCall({
      contractAddress: signer.address,
      contractName: "no-such-contract",
      functionName: "anything",
      functionArgs: [],
      senderKey: signer.secretKey,
      network: "devnet",
      nonce: 0,
      fee: 1_000,
      postConditionMode: PostConditionMode.Deny,
    });
    expect((await postTransaction(devnet, unknown)).body).toMatchObject({
      reason: "NoSuchContract",
      txid: unknown.txid(),
    });
    const noFunction = await contractCall(devnet, signer, "facility-registry", "no-such-function", [], { nonce: 0 });
    expect((await postTransaction(devnet, noFunction)).body).toMatchObject({ reason: "NoSuchPublicFunction" });
    const badArgs = await contractCall(devnet, signer, "facility-registry", "register-facility", [Cl.uint(1)], {
      nonce: 0,
    });
    expect((await postTransaction(devnet, badArgs)).body).toMatchObject({ reason: "BadFunctionArgument" });
    const wrongType = await contractCall(devnet, signer, "facility-registry", "approve-facility", [Cl.int(1)], {
      nonce: 0,
    });
    expect((await postTransaction(devnet, wrongType)).body).toMatchObject({ reason: "BadFunctionArgument" });

    const unknownRoute = await getJson(devnet, "/v2/no-such-route");
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body).toHaveProperty("error");
    expect((await getJson(devnet, `/extended/v1/tx/0x${"ab".repeat(32)}`)).status).toBe(404);
  });

  it("accepts a raw octet-stream body as the node does", async () => {
    const signer = account(devnet, "faucet");
    const tx = await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Octets"), {
      nonce: 0,
    });
    const response = await fetch(`${devnet.url}/v2/transactions`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: Buffer.from(tx.serializeBytes()),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toBe(tx.txid());
    await devnet.mineBlock();
    expect((await getTx(devnet, tx.txid())).tx_status).toBe("success");
  });
});

describe("fees", () => {
  it("estimates fees for @stacks/transactions and accepts a transaction built with the estimate", async () => {
    const signer = account(devnet, "wallet_7");
    const client = { baseUrl: devnet.url };
    const tx = await makeContractCall({
      contractAddress: account(devnet, "deployer").address,
      contractName: "facility-registry",
      functionName: "register-facility",
      functionArgs: registerArgs("Estimated"),
      senderKey: signer.secretKey,
      network: "devnet",
      client,
      postConditionMode: PostConditionMode.Deny,
    });
    const fee = BigInt(tx.auth.spendingCondition.fee);
    expect(fee).toBeGreaterThanOrEqual(BigInt(tx.serializeBytes().length));
    expect(tx.auth.spendingCondition.nonce).toBe(0n);
    const txid = await broadcast(devnet, tx);
    await devnet.mineBlock();
    expect((await getTx(devnet, txid)).tx_status).toBe("success");
    const transferRate = await fetch(`${devnet.url}/v2/fees/transfer`);
    expect(await transferRate.text()).toBe("1");
  });
});

describe("reads", () => {
  it("serves read-only calls through @stacks/transactions and refuses unknown contracts", async () => {
    const deployer = account(devnet, "deployer").address;
    const client = { baseUrl: devnet.url };
    const isAdmin = await fetchCallReadOnlyFunction({
      contractAddress: deployer,
      contractName: "facility-registry",
      functionName: "is-admin",
      functionArgs: [Cl.principal(deployer)],
      senderAddress: deployer,
      network: "devnet",
      client,
    });
    expect(isAdmin).toEqual(Cl.bool(true));
    const facility = await fetchCallReadOnlyFunction({
      contractAddress: deployer,
      contractName: "facility-registry",
      functionName: "get-facility",
      functionArgs: [Cl.uint(1)],
      senderAddress: deployer,
      network: "devnet",
      client,
    });
    expect(cvToString(facility)).toContain('(name u"Harbour 1")');

    const response = await fetch(`${devnet.url}/v2/contracts/call-read/${deployer}/no-such-contract/get-x`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sender: deployer, arguments: [] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ okay: false });
  });

  it("serves the chain block by block with each block's transactions and print events", async () => {
    const signer = account(devnet, "wallet_1");
    const txid = await broadcast(
      devnet,
      await contractCall(devnet, signer, "facility-registry", "register-facility", registerArgs("Follow me"), {
        nonce: 1,
      }),
    );
    const height = await devnet.mineBlock();
    const emptyHeight = await devnet.mineBlock();
    expect(emptyHeight).toBe(height + 1);

    const info = await getJson<{ stacks_tip_height: number; network_id: number }>(devnet, "/v2/info");
    expect(info.body.stacks_tip_height).toBe(emptyHeight);

    const block = await getJson<{ height: number; hash: string; parent_block_hash: string; tx_count: number }>(
      devnet,
      `/extended/v2/blocks/${height}`,
    );
    expect(block.body).toMatchObject({ height, tx_count: 1 });
    const byHash = await getJson<{ height: number }>(devnet, `/extended/v2/blocks/${block.body.hash}`);
    expect(byHash.body.height).toBe(height);
    const next = await getJson<{ parent_block_hash: string; tx_count: number }>(
      devnet,
      `/extended/v2/blocks/${emptyHeight}`,
    );
    expect(next.body).toMatchObject({ parent_block_hash: block.body.hash, tx_count: 0 });
    expect((await getJson(devnet, `/extended/v2/blocks/${emptyHeight + 1}`)).status).toBe(404);

    const listing = await getJson<{ total: number; results: { tx_id: string; events: { event_type: string }[] }[] }>(
      devnet,
      `/extended/v2/blocks/${height}/transactions`,
    );
    expect(listing.body.total).toBe(1);
    expect(listing.body.results[0]!.tx_id).toBe(`0x${txid}`);
    expect(listing.body.results[0]!.events.map((event) => event.event_type)).toEqual(["smart_contract_log"]);

    const v1 = await getJson<{ txs: string[] }>(devnet, `/extended/v1/block/by_height/${height}`);
    expect(v1.body.txs).toEqual([`0x${txid}`]);
    const events = await getJson<{ events: { event_type: string; tx_id: string }[] }>(
      devnet,
      `/extended/v1/tx/events?tx_id=0x${txid}`,
    );
    expect(events.body.events).toEqual([
      expect.objectContaining({ event_type: "smart_contract_log", tx_id: `0x${txid}` }),
    ]);
  });
});
