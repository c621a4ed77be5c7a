import { describe, expect, it } from "vitest";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { forgetFlowFrom, GRID_DEMAND_ROW, projectFlowEvent } from "../src/chain-sync/flow-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How charge-discharge prints become the grid demand row, the flow records and the events
// published for them, on tables kept in memory: no database, no chain.

type ChargeDischargePrint = ContractPrintEvent<"charge-discharge">;

const OPERATOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: ChargeDischargePrint["payload"], txid: string): ChargeDischargePrint {
  return {
    contract: "charge-discharge",
    contractId: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.charge-discharge",
    payload,
    txid,
    blockHeight: 0,
    txIndex: 0,
    eventIndex: 0,
  };
}

const flow = (recordId: bigint, action: "charge" | "discharge", energyKwh: bigint, storedAfterKwh: bigint) =>
  print(
    {
      topic: "flow-recorded",
      recordId,
      facilityId: 1n,
      action,
      energyKwh,
      demandLevel: 85n,
      storedAfterKwh,
      recordedBy: OPERATOR,
    },
    `f${recordId}`,
  );

function readModel() {
  const tables = new InMemoryTables();
  const apply = (event: ChargeDischargePrint, height: number) =>
    projectFlowEvent(event, { tx: tables.client<Prisma.TransactionClient>(), block: block(height) });
  return { tables, apply };
}

describe("the flow projection", () => {
  it("keeps one grid demand row, overwritten by each demand or thresholds print", async () => {
    const { tables, apply } = readModel();
    await apply(print({ topic: "grid-demand-updated", level: 85n, lowThreshold: 30n, highThreshold: 70n }, "a1"), 5);

    const derived = await apply(
      print({ topic: "demand-thresholds-updated", level: 85n, lowThreshold: 25n, highThreshold: 75n }, "b2"),
      6,
    );

    expect(tables.rows("gridDemand")).toEqual([
      {
        id: GRID_DEMAND_ROW,
        demandLevelPercent: 85,
        lowThresholdPercent: 25,
        highThresholdPercent: 75,
        lastTxid: "0xb2",
        lastHeight: 6,
        updatedAt: new Date("2026-11-24T07:00:06Z"),
      },
    ]);
    expect(derived).toEqual([
      {
        type: "grid.thresholds.updated",
        payload: { demandLevelPercent: 85, lowThresholdPercent: 25, highThresholdPercent: 75 },
      },
    ]);
  });

  it("records a flow's energy and the stored energy after it, and publishes them as JSON numbers", async () => {
    const { tables, apply } = readModel();

    const derived = await apply(flow(7n, "discharge", 300n, 900n), 5);

    expect(tables.row("flowRecord", { recordId: 7 })).toEqual({
      recordId: 7,
      facilityId: 1,
      action: "discharge",
      energyKwh: 300n,
      demandLevelPercent: 85,
      storedAfterKwh: 900n,
      recordedBy: OPERATOR,
      txid: "0xf7",
      blockHeight: 5,
      recordedAt: new Date("2026-11-24T07:00:05Z"),
    });
    expect(derived).toEqual([
      {
        type: "flow.recorded",
        payload: {
          recordId: 7,
          facilityId: 1,
          action: "discharge",
          energyKwh: 300,
          demandLevelPercent: 85,
          storedAfterKwh: 900,
          recordedBy: OPERATOR,
        },
      },
    ]);
  });

  it("writes a record once however often its block is applied (a replay), and a battery emptied to zero", async () => {
    const { tables, apply } = readModel();
    const emptied = flow(8n, "discharge", 900n, 0n);

    await apply(emptied, 5);
    await apply(emptied, 5);

    expect(tables.rows("flowRecord")).toHaveLength(1);
    expect(tables.row("flowRecord", { recordId: 8 })).toMatchObject({ energyKwh: 900n, storedAfterKwh: 0n });
  });

  it("stores energy above 2^53 exactly and makes no event a JSON number cannot carry, without failing the block", async () => {
    const { tables, apply } = readModel();
    const beyond = 9_007_199_254_740_993n;

    expect(await apply(flow(9n, "charge", beyond, beyond), 5)).toEqual([]);

    expect(tables.row("flowRecord", { recordId: 9 })).toMatchObject({ energyKwh: beyond, storedAfterKwh: beyond });
  });

  it("forgets, before a re-sync, the records and the demand written from that height on", async () => {
    const { tables, apply } = readModel();
    await apply(flow(1n, "charge", 100n, 100n), 5);
    await apply(flow(2n, "charge", 100n, 200n), 9);
    await apply(print({ topic: "grid-demand-updated", level: 50n, lowThreshold: 30n, highThreshold: 70n }, "a1"), 9);

    await forgetFlowFrom(tables.client<Prisma.TransactionClient>(), 9);

    expect(tables.rows("flowRecord").map((row) => row.recordId)).toEqual([1]);
    expect(tables.rows("gridDemand")).toEqual([]);
  });
});
