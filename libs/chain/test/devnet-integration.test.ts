// The client against the devnet over HTTP with real signed transactions.
import { Cl, deserializeTransaction, makeContractCall, PostConditionMode } from "@stacks/transactions";
import { startDevnet } from "@voltstack/devnet";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BroadcastRejectedError,
  CapacityClient,
  ChainFollower,
  ChargeDischargeClient,
  ContractError,
  FacilityRegistryClient,
  GridServicesClient,
  type PrintEvent,
  PrivateKeySigner,
  RevenueSharingClient,
  type Signer,
  StacksChain,
  TransactionFailedError,
} from "../src/index.js";

type Devnet = Awaited<ReturnType<typeof startDevnet>>;

let devnet: Devnet;
let chain: StacksChain;
const signers: Record<string, Signer> = {};

function account(name: string): { address: string; secretKey: string } {
  const found = devnet.accounts.get(name);
  if (!found) throw new Error(`The devnet has no account ${name}`);
  return found;
}

function chainFor(url: string, fetchFn?: typeof fetch): StacksChain {
  return new StacksChain({
    network: "devnet",
    url,
    contracts: { deployer: account("deployer").address },
    confirmation: { pollIntervalMs: 20, stuckAfterMs: 400, timeoutMs: 30_000 },
    sender: { pollIntervalMs: 20 },
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0, blockIntervalMs: 50 });
  chain = chainFor(devnet.url);
  for (const name of [
    "deployer",
    "wallet_1",
    "wallet_2",
    "wallet_3",
    "wallet_4",
    "wallet_5",
    "wallet_6",
    "wallet_7",
    "wallet_8",
  ]) {
    signers[name] = new PrivateKeySigner(account(name).secretKey, chain.network.stacksNetwork);
  }
}, 60_000);

afterAll(async () => {
  await devnet?.stop();
});

const topics = (events: PrintEvent[]) => events.map((e) => e.payload.topic);

describe("typed clients against the devnet", () => {
  let facilityId: bigint;

  it("runs the facility-registry functions and reads", async () => {
    const admin = new FacilityRegistryClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const owner = new FacilityRegistryClient(chain, { sender: await chain.callSender(signers.wallet_1!) });
    const registered = await owner.registerFacility({
      name: "Harbour battery",
      location: "Pier 4",
      capacityKwh: 1_000n,
      maxPowerKw: 250n,
    });
    facilityId = registered.value;
    expect(topics(registered.events)).toEqual(["facility-registered"]);
    expect(registered.events[0]!.payload).toMatchObject({
      facilityId,
      owner: signers.wallet_1!.address,
      capacityKwh: 1_000n,
    });
    expect(await owner.getFacility(facilityId)).toMatchObject({
      status: "pending",
      capacityKwh: 1_000n,
      maxPowerKw: 250n,
      rejectionReason: null,
    });

    const second = await owner.registerFacility({ name: "Second", location: "Yard", capacityKwh: 10n, maxPowerKw: 5n });
    expect(topics((await admin.rejectFacility(second.value, "incomplete paperwork")).events)).toEqual([
      "facility-rejected",
    ]);
    expect(await owner.getFacility(second.value)).toMatchObject({
      status: "rejected",
      rejectionReason: "incomplete paperwork",
    });

    expect(topics((await admin.approveFacility(facilityId)).events)).toEqual(["facility-approved"]);
    expect(await admin.isApproved(facilityId)).toBe(true);
    await admin.suspendFacility(facilityId);
    expect((await admin.getFacility(facilityId))?.status).toBe("suspended");
    await admin.reinstateFacility(facilityId);
    expect(await admin.isApproved(facilityId)).toBe(true);

    await admin.addAdmin(signers.wallet_2!.address);
    expect(await admin.isAdmin(signers.wallet_2!.address)).toBe(true);
    expect(await admin.getAdminCount()).toBe(2n);
    expect(topics((await admin.removeAdmin(signers.wallet_2!.address)).events)).toEqual(["admin-removed"]);
    expect(await admin.getAdminCount()).toBe(1n);

    const operator = await owner.setOperator(facilityId, signers.wallet_3!.address, true);
    expect(operator.events[0]!.payload).toMatchObject({
      topic: "operator-set",
      operator: signers.wallet_3!.address,
      enabled: true,
    });
    expect(await owner.isOperator(facilityId, signers.wallet_3!.address)).toBe(true);
    expect(await owner.isFacilityAuthorized(facilityId, signers.wallet_3!.address)).toBe(true);
    expect(await owner.getFacilityOwner(facilityId)).toBe(signers.wallet_1!.address);
    expect(await owner.getFacilityOwner(999n)).toBeNull();
    expect(await owner.getLastFacilityId()).toBe(second.value);
  });

  it("counts final outcomes and confirmation time per contract function on /metrics", async () => {
    const sample = async (outcome: string) =>
      (await register.getSingleMetric("voltstack_chain_transactions_total")!.get()).values.find(
        (value) =>
          value.labels.contract === "facility-registry" &&
          value.labels.function === "approve-facility" &&
          value.labels.outcome === outcome,
      )?.value ?? 0;
    const admin = new FacilityRegistryClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const [successBefore, abortedBefore] = [await sample("success"), await sample("abort_by_response")];
    const facility = await new FacilityRegistryClient(chain, {
      sender: await chain.callSender(signers.wallet_3!),
    }).registerFacility({ name: "Metered", location: "Dock", capacityKwh: 10n, maxPowerKw: 5n });
    await admin.approveFacility(facility.value);
    await expect(admin.approveFacility(facility.value)).rejects.toBeInstanceOf(ContractError);
    expect(await sample("success")).toBe(successBefore + 1);
    expect(await sample("abort_by_response")).toBe(abortedBefore + 1);
    expect(await register.getSingleMetricAsString("voltstack_chain_confirmation_seconds")).toMatch(
      /voltstack_chain_confirmation_seconds_count\{contract="facility-registry",function="approve-facility",outcome="success"\} [1-9]/,
    );
  });

  it("runs capacity-tracking and charge-discharge", async () => {
    const owner = new CapacityClient(chain, { sender: await chain.callSender(signers.wallet_1!) });
    const initialised = await owner.initializeCapacity(facilityId, 500n);
    expect(initialised.events[0]!.payload).toMatchObject({
      topic: "capacity-initialized",
      storedKwh: 500n,
      availableKwh: 500n,
    });
    await owner.updateCapacity(facilityId, 600n);
    expect(await owner.getCapacity(facilityId)).toMatchObject({
      totalKwh: 1_000n,
      storedKwh: 600n,
      reservedKwh: 0n,
      availableKwh: 600n,
    });
    expect(await owner.isInitialized(facilityId)).toBe(true);

    const admin = new ChargeDischargeClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const operator = new ChargeDischargeClient(chain, { sender: await chain.callSender(signers.wallet_3!) });
    await admin.setDemandThresholds(30n, 70n);
    expect(topics((await admin.setGridDemand(80n)).events)).toEqual(["grid-demand-updated"]);
    expect(await admin.getGridDemand()).toMatchObject({ level: 80n, lowThreshold: 30n, highThreshold: 70n });
    expect(await admin.getSuggestedAction(facilityId)).toEqual({ action: "discharge", energyKwh: 250n });

    const charge = await operator.recordCharge(facilityId, 100n);
    expect(topics(charge.events)).toEqual(["capacity-updated", "flow-recorded"]);
    const discharge = await operator.recordDischarge(facilityId, 50n);
    expect(await operator.getLastRecordId()).toBe(discharge.value);
    expect(await operator.getFlowRecord(discharge.value)).toMatchObject({
      action: "discharge",
      energyKwh: 50n,
      storedAfterKwh: 650n,
    });
    expect(await owner.getAvailableKwh(facilityId)).toBe(650n);
    await expect(admin.getSuggestedAction(999n)).rejects.toMatchObject({
      code: "ERR_NOT_INITIALIZED",
      contract: "charge-discharge",
    });
  });

  it("runs grid-services and revenue-sharing with exact post-conditions", async () => {
    const admin = new GridServicesClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const owner = new GridServicesClient(chain, { sender: await chain.callSender(signers.wallet_1!) });
    const oracle = new GridServicesClient(chain, { sender: await chain.callSender(signers.wallet_4!) });
    const revenueOwner = new RevenueSharingClient(chain, { sender: await chain.callSender(signers.wallet_1!) });
    const depositor = new RevenueSharingClient(chain, { sender: await chain.callSender(signers.wallet_2!) });

    await admin.setFrequencyTarget(50_000n, 200n);
    await admin.setOracle(signers.wallet_4!.address, true);
    expect(await admin.isOracle(signers.wallet_4!.address)).toBe(true);
    const report = await oracle.reportFrequency(49_500n);
    expect(report.value).toBe(true);
    expect(report.events[0]!.payload).toMatchObject({ topic: "frequency-deviation", deviationMhz: 500n });
    expect(await admin.getFrequencyStatus()).toMatchObject({ lastReadingMhz: 49_500n, deviating: true });
    expect(await admin.deviates(50_100n)).toBe(false);

    const shares = await revenueOwner.setStakeholderShares(facilityId, [
      { stakeholder: signers.wallet_1!.address, shareBps: 7_000n },
      { stakeholder: signers.wallet_5!.address, shareBps: 3_000n },
    ]);
    expect(await revenueOwner.getSharesVersion(facilityId)).toBe(shares.value);
    expect((await revenueOwner.getShares(facilityId))?.shares).toEqual([
      { stakeholder: signers.wallet_1!.address, shareBps: 7_000n },
      { stakeholder: signers.wallet_5!.address, shareBps: 3_000n },
    ]);

    const tip = await chain.api.getTipHeight();
    const created = await admin.createServiceRequest({
      serviceType: "peak-shaving",
      powerKw: 100n,
      energyKwh: 200n,
      paymentUstx: 2_000_000n,
      expiresAt: BigInt(tip + 10_000),
    });
    expect(created.events[0]!.payload).toMatchObject({ topic: "service-requested", paymentUstx: 2_000_000n });
    expect(await admin.getEscrowedUstx()).toBe(2_000_000n);
    await owner.acceptRequest(created.value, facilityId);
    expect((await admin.getRequest(created.value))?.status).toBe("accepted");
    const fulfilled = await admin.fulfillRequest(created.value, 9_000n);
    expect(fulfilled.value).toBe(1_800_000n);
    expect(topics(fulfilled.events)).toEqual(["capacity-updated", "revenue-deposited", "service-fulfilled"]);
    expect(await admin.getRequest(created.value)).toMatchObject({
      status: "fulfilled",
      payoutUstx: 1_800_000n,
      refundUstx: 200_000n,
      performanceBps: 9_000n,
    });

    const deposit = await depositor.depositRevenue(facilityId, 200_000n, "manual");
    expect(await depositor.getDeposit(deposit.value)).toMatchObject({
      amountUstx: 200_000n,
      source: "manual",
      depositor: signers.wallet_2!.address,
    });
    expect(await depositor.getLastDepositId()).toBe(deposit.value);
    expect(await revenueOwner.getPoolBalance(facilityId)).toBe(2_000_000n);

    const distributed = await revenueOwner.distributeRevenue(facilityId);
    expect(topics(distributed.events)).toEqual(["revenue-paid", "revenue-paid", "revenue-distributed"]);
    expect(await revenueOwner.getPoolBalance(facilityId)).toBe(0n);
    expect(await revenueOwner.getDistribution(distributed.value)).toMatchObject({
      amountUstx: 2_000_000n,
      paymentCount: 2n,
    });
    expect(await revenueOwner.getLastDistributionId()).toBe(distributed.value);
    const lastPayment = await revenueOwner.getLastPaymentId();
    expect(await revenueOwner.getPayment(lastPayment)).toMatchObject({
      stakeholder: signers.wallet_5!.address,
      amountUstx: 600_000n,
    });
    expect(await revenueOwner.getStakeholderEarnings(facilityId, signers.wallet_1!.address)).toBe(1_400_000n);
    expect(await revenueOwner.getTotalDistributed(facilityId)).toBe(2_000_000n);
    expect(await revenueOwner.getSharesAtVersion(facilityId, 99n)).toBeNull();

    const second = await admin.createServiceRequest({
      serviceType: "frequency",
      powerKw: 1n,
      energyKwh: 1n,
      paymentUstx: 5_000n,
      expiresAt: BigInt(tip + 10_000),
    });
    const cancelled = await admin.cancelRequest(second.value);
    expect(cancelled.events[0]!.payload).toMatchObject({ topic: "service-cancelled", refundUstx: 5_000n });
    expect(await admin.getLastRequestId()).toBe(second.value);
    expect(await admin.getEscrowedUstx()).toBe(0n);

    const notOpen = await owner.acceptRequest(second.value, facilityId).catch((e: unknown) => e);
    expect(notOpen).toBeInstanceOf(ContractError);
    expect(notOpen).toMatchObject({ code: "ERR_REQUEST_NOT_OPEN", contract: "grid-services", errorNumber: 4010n });
  });
});

describe("transactions the chain must refuse or abort", () => {
  async function signedCall(nonce: bigint, key = account("deployer").secretKey): Promise<string> {
    const tx = await makeContractCall({
      contractAddress: account("deployer").address,
      contractName: "charge-discharge",
      functionName: "set-grid-demand",
      functionArgs: [Cl.uint(40)],
      senderKey: key,
      nonce,
      fee: 2_000n,
      network: chain.network.stacksNetwork,
      postConditionMode: PostConditionMode.Deny,
      validateWithAbi: false,
    });
    return tx.serialize();
  }

  it("aborts a call that moves STX without its post-condition, leaving no trace", async () => {
    const admin = await chain.callSender(signers.deployer!);
    const grid = new GridServicesClient(chain);
    const escrowBefore = await grid.getEscrowedUstx();
    const lastBefore = await grid.getLastRequestId();
    const tip = await chain.api.getTipHeight();
    const error = await chain
      .execute(admin, {
        contract: chain.contracts["grid-services"],
        functionName: "create-service-request",
        functionArgs: [Cl.stringAscii("peak-shaving"), Cl.uint(1), Cl.uint(1), Cl.uint(1_000), Cl.uint(tip + 1_000)],
        postConditions: [],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionFailedError);
    expect(error).toMatchObject({ code: "POST_CONDITION_ABORT", status: "abort_by_post_condition" });
    expect(await grid.getEscrowedUstx()).toBe(escrowBefore);
    expect(await grid.getLastRequestId()).toBe(lastBefore);
  });

  it("refuses a too-low nonce and a replayed transaction with BadNonce", async () => {
    const admin = await chain.sender(signers.deployer!);
    const next = admin.nextNonce as bigint;
    expect(next).toBeGreaterThan(2n);
    const stale = await chain.api.broadcast(await signedCall(0n)).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(BroadcastRejectedError);
    expect(stale).toMatchObject({ reason: "BadNonce" });

    const hex = await signedCall(next);
    const txid = await chain.api.broadcast(hex);
    const final = await chain.tracker.waitFor(txid);
    expect(final.status).toBe("success");
    const replay = await chain.api.broadcast(hex).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(BroadcastRejectedError);
    expect(replay).toMatchObject({ reason: "BadNonce" });
  });

  it("refuses a transaction whose signature was tampered with", async () => {
    const { nonce } = await chain.api.getAccount(signers.wallet_6!.address);
    const hex = await signedCall(nonce, account("wallet_6").secretKey);
    const signatureStart = 2 * (1 + 4 + 1 + 1 + 20 + 8 + 8 + 1);
    const position = signatureStart + 20;
    const tampered = hex.slice(0, position) + (hex[position] === "0" ? "1" : "0") + hex.slice(position + 1);
    expect(deserializeTransaction(tampered).txid()).not.toBe(deserializeTransaction(hex).txid());
    const error = await chain.api.broadcast(tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    expect(error).toMatchObject({ reason: "SignatureValidation" });
    expect((await chain.api.getAccount(signers.wallet_6!.address)).nonce).toBe(nonce);
  });
});

describe("nonce pipelining and recovery", () => {
  it("confirms 25 transactions in flight from one signer, in nonce order", async () => {
    const admin = new GridServicesClient(chain, { sender: await chain.callSender(signers.deployer!) });
    await admin.setOracle(signers.wallet_7!.address, true);
    const sender = await chain.sender(signers.wallet_7!);
    const first = sender.nextNonce as bigint;
    const call = (i: number) => ({
      contract: chain.contracts["grid-services"],
      functionName: "report-frequency",
      functionArgs: [Cl.uint(50_000 + i)],
      postConditions: [],
    });
    // Each call estimates its fee before it takes a nonce, so nonces follow the estimates'
    // answers, not the calls: what must hold is 25 consecutive nonces, mined in their order.
    const submitted = (await Promise.all(Array.from({ length: 25 }, (_, i) => sender.submit(call(i))))).sort((a, b) =>
      Number(a.nonce - b.nonce),
    );
    expect(submitted.map((s) => s.nonce)).toEqual(Array.from({ length: 25 }, (_, i) => first + BigInt(i)));
    const finals = await Promise.all(submitted.map((s) => chain.tracker.waitFor(s.txid)));
    expect(finals.every((f) => f.status === "success")).toBe(true);
    const heights = finals.map((f) => f.blockHeight as number);
    expect([...heights].sort((a, b) => a - b)).toEqual(heights);
    expect((await chain.api.getAccount(sender.address)).nonce).toBe(first + 25n);
  });

  it("confirms 100 calls through a pool of four signers", async () => {
    const admin = new GridServicesClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const pool = ["wallet_5", "wallet_6", "wallet_7", "wallet_8"].map((name) => signers[name]!);
    for (const s of pool) await admin.setOracle(s.address, true);
    const grid = new GridServicesClient(chain, { sender: await chain.callSender(pool) });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => grid.reportFrequency(BigInt(50_000 + i))));
    expect(results).toHaveLength(100);
    const bySender = new Map<string, number>();
    for (const r of results) bySender.set(r.sender, (bySender.get(r.sender) ?? 0) + 1);
    expect(bySender.size).toBe(4);
    expect(new Set(results.map((r) => r.txid)).size).toBe(100);
  });

  it("recovers from a transaction lost before the node (a nonce gap)", async () => {
    let lose = 1;
    const losing: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (lose > 0 && url.endsWith("/v2/transactions") && init?.method === "POST") {
        lose -= 1;
        const txid = deserializeTransaction(JSON.parse(String(init.body)).tx).txid();
        return new Response(JSON.stringify(txid), { status: 200, headers: { "content-type": "application/json" } });
      }
      return fetch(input, init);
    };
    const lossy = chainFor(devnet.url, losing);
    const operator = new ChargeDischargeClient(lossy, { sender: await lossy.callSender(signers.wallet_3!) });
    const start = (await chain.api.getAccount(signers.wallet_3!.address)).nonce;
    const results = await Promise.all([1n, 2n, 3n].map((kwh) => operator.recordCharge(1n, kwh)));
    expect(results.map((r) => r.nonce)).toEqual([start, start + 1n, start + 2n]);
    expect(lose).toBe(0);
    expect((await chain.api.getAccount(signers.wallet_3!.address)).nonce).toBe(start + 3n);
  });
});

describe("ChainFollower against the devnet", () => {
  it("yields our contracts' print events in order from a height", async () => {
    const from = (await chain.api.getTipHeight()) + 1;
    const admin = new ChargeDischargeClient(chain, { sender: await chain.callSender(signers.deployer!) });
    const expected: PrintEvent[] = [];
    for (const level of [10n, 20n, 30n]) expected.push(...(await admin.setGridDemand(level)).events);
    const follower = new ChainFollower(chain, { contract: "charge-discharge", fromHeight: from });
    const { events: seen } = await follower.unappliedEvents(async () => false);
    const ours = seen.filter((e) => e.contract === "charge-discharge" && e.payload.topic === "grid-demand-updated");
    expect(ours.map((e) => e.payload)).toEqual(expected.map((e) => e.payload));
    const positions = seen.map((e) => [e.blockHeight, e.txIndex, e.eventIndex]);
    expect([...positions].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!)).toEqual(positions);
  });
});
