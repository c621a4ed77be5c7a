import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "@voltstack/cli";
import type { EventJson } from "@voltstack/events";
import { waitFor } from "@voltstack/service-testing";
import { startSystem, type SystemUnderTest } from "./system-under-test.js";

// The five services against a chain that behaves as a real network does: a fork that
// orphans a fulfilment and its distribution, a storm of 429s, a transaction the mempool
// dropped, one replaced by a higher fee. Whatever happens, every payout is paid once and
// every fact is published once.

let system: SystemUnderTest;

beforeAll(async () => {
  // Recovery (re-broadcast, fee bump) after 2 s instead of 30 s, so the test can wait for it.
  system = await startSystem({ CHAIN_STUCK_AFTER_MS: "2000", STACKS_FEE_BUMP_AFTER_MS: "2000" });
}, 180_000);

afterAll(async () => {
  await system?.close();
}, 120_000);

function eventsOf(subject: string): EventJson[] {
  return system.tail.events.filter((tailed) => tailed.subject === subject).map((tailed) => tailed.event);
}

function uniqueIds(events: EventJson[]): number {
  return new Set(events.map((event) => event.eventId)).size;
}

async function balance(principal: string): Promise<bigint> {
  const response = await fetch(`${system.stack.devnet.url}/v2/accounts/${principal}?proof=0`);
  return BigInt(((await response.json()) as { balance: string }).balance);
}

describe("a fork", () => {
  it("that orphans a fulfilment and its distribution: the read models rewind, the payout is paid once", async () => {
    const stakeholders = system.stack.stakeholders as [string, string, string];
    const before = await Promise.all(stakeholders.map(balance));
    const report = await runDemo({
      urls: system.urls,
      devnetUrl: system.stack.devnet.url,
      callers: { admin: system.caller("admin"), ownerA: system.caller("owner-1"), ownerB: system.caller("owner-2") },
      stakeholders,
    });
    expect(report.conserved).toBe(true);
    const fulfil = report.steps.find((step) => step.step.startsWith("fulfil"))!;
    const distributionTxid = report.distribution.distributionTxid!;
    const admin = system.client("admin");
    await waitFor("revenue.distributed on the bus", () => eventsOf("revenue.distributed").length === 1);

    // Bitcoin reorganises: every block from the fulfilment's on is orphaned, and a longer
    // branch without them wins. Their transactions go back to the mempool, as on a node.
    await system.miner.pause();
    const tip = await system.stack.devnet.mineBlock();
    const fork = await system.stack.devnet.fork({ depth: tip - fulfil.blockHeight + 1, keep: "none" });
    const returned = fork.returnedToMempool.map((txid) => txid.toLowerCase());
    expect(returned).toEqual(expect.arrayContaining([fulfil.txid.toLowerCase(), distributionTxid.toLowerCase()]));
    system.miner.resume();

    // The services notice, undo what the orphaned blocks did, and apply the transactions
    // where the new branch mined them again.
    await waitFor(
      "chain.reorganized from the grid and revenue services",
      () => {
        const contracts = eventsOf("chain.reorganized").map(
          (event) => (event.payload as { contract: string }).contract,
        );
        return contracts.includes("grid-services") && contracts.includes("revenue-sharing");
      },
      60_000,
    );
    const reorganized = eventsOf("chain.reorganized").find(
      (event) => (event.payload as { contract: string }).contract === "grid-services",
    )!.payload as { moved: { txId: string }[]; orphaned: { txId: string }[] };
    // Gone when the service rewound, or already mined again on the new branch.
    expect([...reorganized.orphaned, ...reorganized.moved].map((fact) => fact.txId)).toContain(fulfil.txid);

    const remined = await waitFor(
      "the fulfilment mined again in the read model",
      async () => {
        const request = await admin.grid.getRequest(report.requestId);
        return request.status === "fulfilled" && request.lastHeight !== fulfil.blockHeight ? request : undefined;
      },
      60_000,
    );
    expect(remined).toMatchObject({ payoutUstx: "950000006" });
    await waitFor(
      "the distribution read again",
      async () => (await admin.revenue.facilityPayments(report.facilityIds[0])).items.length === 3,
      60_000,
    );
    const payments = await admin.revenue.facilityPayments(report.facilityIds[0]);
    expect(payments.totalUstx).toBe("950000006");
    expect(payments.items.map((payment) => payment.txid)).toEqual(Array(3).fill(distributionTxid));

    // Paid once: each stakeholder holds exactly their share more than before the demo.
    const after = await Promise.all(stakeholders.map(balance));
    expect(after.map((value, index) => (value - before[index]!).toString())).toEqual([
      "475000004",
      "285000001",
      "190000001",
    ]);
    // Published once: the facts the new branch holds again keep their event ids.
    expect(eventsOf("service.fulfilled")).toHaveLength(uniqueIds(eventsOf("service.fulfilled")));
    expect(uniqueIds(eventsOf("service.fulfilled"))).toBe(1);
    expect(uniqueIds(eventsOf("revenue.distributed"))).toBe(1);
  }, 240_000);
});

describe("the API and the mempool as a real network has them", () => {
  it("registers and approves through a storm of 429s, publishing each fact once", async () => {
    // Every process on this machine shares one address: 40 requests in 2 s for all five services.
    system.stack.devnet.faults.set({ rateLimit: { limit: 40, windowMs: 2_000 } });
    try {
      const owner = system.client("owner-1");
      const registered = await owner.facilities.register({
        owner: system.caller("owner-1").principal,
        name: "Storm Battery",
        location: "Aarhus, DK",
        capacityKwh: 800,
        maxPowerKw: 200,
      });
      await system.client("admin").facilities.approve(registered.facilityId);
      const approved = await waitFor(
        "the approval in the read model",
        async () => {
          const facility = await system.client("admin").facilities.get(registered.facilityId);
          return facility.status === "approved" ? facility : undefined;
        },
        60_000,
      );
      expect(approved.name).toBe("Storm Battery");
      await waitFor("facility.approved on the bus", () =>
        eventsOf("facility.approved").some((event) => event.facilityId === registered.facilityId),
      );
      const ofFacility = (subject: string) =>
        eventsOf(subject).filter((event) => event.facilityId === registered.facilityId);
      expect(ofFacility("facility.registered")).toHaveLength(1);
      expect(ofFacility("facility.approved")).toHaveLength(1);
    } finally {
      system.stack.devnet.faults.reset();
    }
  }, 120_000);

  it("re-broadcasts a transaction the mempool dropped, and it is mined once", async () => {
    await system.miner.pause();
    try {
      const admin = system.client("admin");
      const demand = admin.flow.setDemand({ demandLevelPercent: 41 });
      // The journal holds the txid before the broadcast: wait until the node has it, then drop it.
      const pending = await waitFor("the transaction in the mempool", async () => {
        const { items } = await admin.transactions("flow", { status: "pending", limit: 10 });
        const txid = items.find(
          (entry) => entry.functionName === "set-grid-demand" && entry.arguments.includes("u41"),
        )?.txid;
        return txid && system.stack.devnet.dropTransaction(txid) ? txid : undefined;
      });
      // Dropped: the API no longer knows it; after CHAIN_STUCK_AFTER_MS the service sends it again.
      system.miner.resume();
      const result = await demand;
      expect(result.txid).toBe(pending);
      await waitFor("grid.demand.updated", () =>
        eventsOf("grid.demand.updated").some((e) => e.chain?.txId === pending),
      );
      const updates = eventsOf("grid.demand.updated").filter((event) => event.chain?.txId === pending);
      expect(updates.length).toBeLessThanOrEqual(1);
      expect((await admin.flow.demand()).demandLevelPercent).toBe(41);
    } finally {
      system.miner.resume();
    }
  }, 120_000);

  it("replaces a transaction stuck in the mempool by one with a higher fee, and only one is mined", async () => {
    await system.miner.pause();
    try {
      const admin = system.client("admin");
      const demand = admin.flow.setDemand({ demandLevelPercent: 63 });
      // Held past STACKS_FEE_BUMP_AFTER_MS and the stuck time: the service re-signs it at its nonce.
      const replaced = await waitFor(
        "a fee bump in the journal",
        async () => {
          const { items } = await admin.transactions("flow", { limit: 10 });
          const bumps = items.filter(
            (entry) =>
              entry.functionName === "set-grid-demand" && entry.arguments.includes("u63") && entry.status === "pending",
          );
          return bumps.length >= 2 ? bumps : undefined;
        },
        30_000,
      );
      expect(new Set(replaced.map((entry) => entry.sender)).size).toBe(1);
      system.miner.resume();
      const result = await demand;
      const journal = (await admin.transactions("flow", { limit: 10 })).items.filter((entry) =>
        replaced.some((bump) => bump.txid === entry.txid),
      );
      expect(journal.filter((entry) => entry.status === "confirmed").map((entry) => entry.txid)).toEqual([result.txid]);
      expect(journal.filter((entry) => entry.status !== "confirmed").every((entry) => entry.status === "failed")).toBe(
        true,
      );
      expect((await admin.flow.demand()).demandLevelPercent).toBe(63);
    } finally {
      system.miner.resume();
    }
  }, 120_000);
});
