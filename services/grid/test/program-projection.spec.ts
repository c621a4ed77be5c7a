import { describe, expect, it } from "vitest";
import type { ProgramEvent } from "@voltstack/chain";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { projectGridEvent } from "../src/chain-sync/grid-projection.js";
import { projectProgramEvent } from "../src/chain-sync/program-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How program prints become the programs read model: a program's settled and distributed
// totals summed from its settlements and distributions, its closing figures, its
// enrolments; on tables kept in memory, no database, no chain.

type ProgramPrint = ContractPrintEvent<"grid-services"> & { payload: ProgramEvent };

const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const HASH = "ab".repeat(32);

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: ProgramEvent, txid: string, eventIndex = 0): ProgramPrint {
  return {
    contract: "grid-services",
    contractId: `${ADMIN}.grid-services`,
    payload,
    txid,
    blockHeight: 0,
    txIndex: 0,
    eventIndex,
  };
}

const created = (budget: bigint) =>
  print(
    {
      topic: "program-created",
      programId: 1n,
      product: "fcr",
      operator: ADMIN,
      startHeight: 100n,
      periodBlocks: 20n,
      periodCount: 3n,
      capacityPrice: 1_000n,
      energyPrice: 10n,
      budget,
      settleWindow: 200n,
      endHeight: 160n,
    },
    "a1",
  );

/** A settlement of cohort 0 for `period`, one line per amount. */
const settled = (period: bigint, amounts: bigint[]) =>
  print(
    {
      topic: "program-settled",
      programId: 1n,
      cohort: 0n,
      period,
      reportHash: HASH,
      total: amounts.reduce((sum, amount) => sum + amount, 0n),
      lines: amounts.map((amountUstx, slot) => ({
        facilityId: BigInt(slot + 1),
        committedKw: 100n,
        performanceBps: 10_000n,
        deliveredKwh: 50n,
        amountUstx,
      })),
      settledBy: ADMIN,
    },
    `5e${period}`,
  );

const distributed = (amounts: bigint[], txid: string) =>
  print(
    {
      topic: "program-earnings-distributed",
      programId: 1n,
      cohort: 0n,
      total: amounts.reduce((sum, amount) => sum + amount, 0n),
      amounts,
      distributedBy: ADMIN,
    },
    txid,
  );

function readModel() {
  const tables = new InMemoryTables({
    program: { settledUstx: 0n, distributedUstx: 0n, refundUstx: 0n },
    programEnrolment: { untilPeriod: null, released: false },
  });
  const tx = tables.client<Prisma.TransactionClient>();
  const apply = (event: ProgramPrint, height: number) => projectProgramEvent(event, { tx, block: block(height) });
  return { tables, apply, tx };
}

describe("the program projection", () => {
  it("sums a program's settled total from its settlements, each with its lines", async () => {
    const { tables, apply } = readModel();
    await apply(created(40_000_000n), 5);

    await apply(settled(0n, [110_000n, 105_000n]), 30);
    await apply(settled(1n, [100_000n, 0n]), 50);

    expect(tables.row("program", { id: 1 })).toMatchObject({
      status: "active",
      budgetUstx: 40_000_000n,
      settledUstx: 315_000n,
      distributedUstx: 0n,
      lastHeight: 50,
    });
    expect(tables.rows("programSettlement").map((row) => [row.period, row.totalUstx])).toEqual([
      [0, 215_000n],
      [1, 100_000n],
    ]);
    expect(
      tables.rows("programSettlementLine").map((row) => [row.period, row.slot, row.facilityId, row.amountUstx]),
    ).toEqual([
      [0, 0, 1, 110_000n],
      [0, 1, 2, 105_000n],
      [1, 0, 1, 100_000n],
      [1, 1, 2, 0n],
    ]);
  });

  it("counts a settlement once however often its block is applied (a replay)", async () => {
    const { tables, apply } = readModel();
    await apply(created(40_000_000n), 5);
    await apply(settled(0n, [110_000n, 105_000n]), 30);

    await apply(settled(0n, [110_000n, 105_000n]), 30);

    expect(tables.row("program", { id: 1 })).toMatchObject({ settledUstx: 215_000n });
    expect(tables.rows("programSettlement")).toHaveLength(1);
    expect(tables.rows("programSettlementLine")).toHaveLength(2);
  });

  it("sums the distributed total over distinct distributions, a replayed one counted once", async () => {
    const { tables, apply } = readModel();
    await apply(created(40_000_000n), 5);

    await apply(distributed([110_000n, 104_999n], "d1"), 31);
    await apply(distributed([0n, 1n], "d2"), 32);
    await apply(distributed([110_000n, 104_999n], "d1"), 31);

    expect(tables.row("program", { id: 1 })).toMatchObject({ distributedUstx: 215_000n });
    expect(tables.rows("programDistribution")).toHaveLength(2);
  });

  it("takes a closed program's settled total and refund from the close, which has the last word", async () => {
    const { tables, apply } = readModel();
    await apply(created(40_000_000n), 5);
    await apply(settled(0n, [110_000n, 105_000n]), 30);

    await apply(
      print(
        {
          topic: "program-closed",
          programId: 1n,
          refundUstx: 39_785_000n,
          settled: 215_000n,
          operator: ADMIN,
          closedBy: ADMIN,
        },
        "c1",
      ),
      400,
    );

    expect(tables.row("program", { id: 1 })).toMatchObject({
      status: "closed",
      settledUstx: 215_000n,
      refundUstx: 39_785_000n,
    });
    // A replay of the creation does not make it active again.
    await apply(created(40_000_000n), 5);
    expect(tables.row("program", { id: 1 })).toMatchObject({ status: "closed" });
  });

  it("holds a budget above 2^53 exactly", async () => {
    const { tables, apply } = readModel();

    await apply(created(9_007_199_254_740_993n), 5);

    expect(tables.row("program", { id: 1 })).toMatchObject({ budgetUstx: 9_007_199_254_740_993n, settledUstx: 0n });
  });

  it("through the grid projection, does not follow a settlement with an amount beyond a BIGINT column", async () => {
    const { tables, apply, tx } = readModel();
    await apply(created(40_000_000n), 5);

    const derived = await projectGridEvent(settled(0n, [9_223_372_036_854_775_808n]), { tx, block: block(30) });

    expect(derived).toEqual([]);
    expect(tables.rows("programSettlement")).toEqual([]);
    expect(tables.row("program", { id: 1 })).toMatchObject({ settledUstx: 0n, lastHeight: 5 });
  });

  it("marks a withdrawn enrolment released until its period, and the rest of the cohort on its release", async () => {
    const { tables, apply } = readModel();
    const enrolled = (facilityId: bigint, slot: bigint) =>
      print(
        {
          topic: "program-enrolled",
          programId: 1n,
          facilityId,
          committedKw: 100n,
          reservedKwh: 2_000n,
          cohort: 0n,
          slot,
          fromPeriod: 0n,
          enrolledBy: OWNER,
        },
        `e${slot}`,
      );
    await apply(enrolled(1n, 0n), 10);
    await apply(enrolled(2n, 1n), 10);

    await apply(
      print(
        {
          topic: "program-withdrawn",
          programId: 1n,
          facilityId: 1n,
          cohort: 0n,
          slot: 0n,
          untilPeriod: 2n,
          releasedKwh: 2_000n,
          withdrawnBy: OWNER,
        },
        "w1",
      ),
      40,
    );
    expect(tables.rows("programEnrolment").map((row) => [row.slot, row.released, row.untilPeriod])).toEqual([
      [0, true, 2],
      [1, false, null],
    ]);

    await apply(print({ topic: "program-cohort-released", programId: 1n, cohort: 0n, releasedKwh: 2_000n }, "r1"), 400);
    expect(tables.rows("programEnrolment").map((row) => [row.slot, row.released, row.lastHeight])).toEqual([
      [0, true, 40],
      [1, true, 400],
    ]);
  });
});
