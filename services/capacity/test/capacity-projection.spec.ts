import { describe, expect, it } from "vitest";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { forgetCapacitiesFrom, projectCapacityEvent } from "../src/chain-sync/capacity-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How a capacity-tracking print's levels become the capacities read model and the event
// published for it, on tables kept in memory: no database, no chain.

type CapacityPrint = ContractPrintEvent<"capacity-tracking">;
type Levels = { totalKwh: bigint; storedKwh: bigint; reservedKwh: bigint; availableKwh: bigint };

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: CapacityPrint["payload"], txid: string): CapacityPrint {
  return {
    contract: "capacity-tracking",
    contractId: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.capacity-tracking",
    payload,
    txid,
    blockHeight: 0,
    txIndex: 0,
    eventIndex: 0,
  };
}

const initialized = (facilityId: bigint, levels: Levels, txid = "a1") =>
  print({ topic: "capacity-initialized", facilityId, ...levels }, txid);

const updated = (facilityId: bigint, reason: "reading" | "reserved" | "charge", levels: Levels, txid = "b2") =>
  print({ topic: "capacity-updated", facilityId, reason, ...levels }, txid);

function readModel() {
  const tables = new InMemoryTables({ capacity: { initializedTxid: null, initializedHeight: null } });
  const apply = (event: CapacityPrint, height: number) =>
    projectCapacityEvent(event, { tx: tables.client<Prisma.TransactionClient>(), block: block(height) });
  return { tables, apply };
}

describe("the capacity projection", () => {
  it("writes the print's absolute levels and publishes them as JSON numbers", async () => {
    const { tables, apply } = readModel();
    await apply(initialized(1n, { totalKwh: 1_000n, storedKwh: 650n, reservedKwh: 0n, availableKwh: 650n }), 5);

    const derived = await apply(
      updated(1n, "reserved", { totalKwh: 1_000n, storedKwh: 650n, reservedKwh: 200n, availableKwh: 450n }, "c3"),
      6,
    );

    expect(tables.row("capacity", { facilityId: 1 })).toEqual({
      facilityId: 1,
      totalKwh: 1_000n,
      storedKwh: 650n,
      reservedKwh: 200n,
      availableKwh: 450n,
      lastReason: "reserved",
      initializedTxid: "0xa1",
      initializedHeight: 5,
      lastTxid: "0xc3",
      lastHeight: 6,
      updatedAt: new Date("2026-11-24T07:00:06Z"),
    });
    expect(derived).toEqual([
      {
        type: "capacity.updated",
        payload: {
          facilityId: 1,
          reason: "reserved",
          totalKwh: 1000,
          storedKwh: 650,
          reservedKwh: 200,
          availableKwh: 450,
        },
      },
    ]);
  });

  it("keeps the later levels when the initialisation is applied again (a replay)", async () => {
    const { tables, apply } = readModel();
    const first = initialized(2n, { totalKwh: 800n, storedKwh: 400n, reservedKwh: 0n, availableKwh: 400n });
    await apply(first, 5);
    await apply(updated(2n, "charge", { totalKwh: 800n, storedKwh: 500n, reservedKwh: 100n, availableKwh: 400n }), 6);

    await apply(first, 5);

    expect(tables.rows("capacity")).toHaveLength(1);
    expect(tables.row("capacity", { facilityId: 2 })).toMatchObject({
      storedKwh: 500n,
      reservedKwh: 100n,
      availableKwh: 400n,
      lastReason: "charge",
      initializedTxid: "0xa1",
      initializedHeight: 5,
      lastHeight: 6,
    });
  });

  it("writes an empty facility as zeros", async () => {
    const { tables, apply } = readModel();
    const derived = await apply(initialized(3n, { totalKwh: 0n, storedKwh: 0n, reservedKwh: 0n, availableKwh: 0n }), 5);

    expect(tables.row("capacity", { facilityId: 3 })).toMatchObject({
      totalKwh: 0n,
      storedKwh: 0n,
      reservedKwh: 0n,
      availableKwh: 0n,
      lastReason: "initialized",
    });
    expect(derived).toEqual([
      {
        type: "capacity.initialized",
        payload: { facilityId: 3, totalKwh: 0, storedKwh: 0, reservedKwh: 0, availableKwh: 0 },
      },
    ]);
  });

  it("does not follow a facility holding more kWh than a JSON number carries exactly (2^53 + 1)", async () => {
    const { tables, apply } = readModel();
    const beyond = 9_007_199_254_740_993n;

    const derived = await apply(
      initialized(4n, { totalKwh: beyond, storedKwh: beyond, reservedKwh: 0n, availableKwh: beyond }),
      5,
    );

    expect(derived).toEqual([]);
    expect(tables.rows("capacity")).toEqual([]);
  });

  it("follows a facility of exactly 2^53 - 1 kWh", async () => {
    const { tables, apply } = readModel();
    const largest = BigInt(Number.MAX_SAFE_INTEGER);

    const derived = await apply(
      initialized(5n, { totalKwh: largest, storedKwh: largest, reservedKwh: 0n, availableKwh: largest }),
      5,
    );

    expect(tables.row("capacity", { facilityId: 5 })).toMatchObject({ totalKwh: largest, availableKwh: largest });
    expect(derived[0]?.payload).toMatchObject({ totalKwh: Number.MAX_SAFE_INTEGER });
  });

  it("forgets, before a re-sync, the capacities initialised from that height on and keeps older ones", async () => {
    const { tables, apply } = readModel();
    const levels = { totalKwh: 100n, storedKwh: 50n, reservedKwh: 0n, availableKwh: 50n };
    await apply(initialized(6n, levels), 5);
    await apply(initialized(7n, levels), 9);
    await apply(updated(6n, "reading", { ...levels, storedKwh: 60n, availableKwh: 60n }), 10);

    await forgetCapacitiesFrom(tables.client<Prisma.TransactionClient>(), 9);

    expect(tables.rows("capacity").map((row) => row.facilityId)).toEqual([6]);
  });
});
