import { describe, expect, it } from "vitest";
import type { ContractPrintEvent, SyncBlock } from "@voltstack/chain-sync";
import { InMemoryTables } from "@voltstack/service-testing/in-memory";
import { projectFacilityEvent } from "../src/chain-sync/verification-projection.js";
import type { Prisma } from "../src/generated/prisma/client.js";

// How facility-registry prints become the facilities read model and the events published
// for them, on tables kept in memory: no database, no chain.

type RegistryPrint = ContractPrintEvent<"facility-registry">;

const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const OPERATOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

const block = (height: number): SyncBlock => ({ height, time: `2026-11-24T07:00:${String(height).padStart(2, "0")}Z` });

function print(payload: RegistryPrint["payload"], txid: string): RegistryPrint {
  return {
    contract: "facility-registry",
    contractId: `${ADMIN}.facility-registry`,
    payload,
    txid,
    blockHeight: 0,
    txIndex: 0,
    eventIndex: 0,
  };
}

const registered = (facilityId: bigint, capacityKwh: bigint, maxPowerKw: bigint) =>
  print(
    {
      topic: "facility-registered",
      facilityId,
      owner: OWNER,
      name: "Harbour Battery",
      location: "Rotterdam, NL",
      capacityKwh,
      maxPowerKw,
    },
    "a1",
  );

function readModel() {
  const tables = new InMemoryTables({ facility: { rejectionReason: null } });
  const apply = (event: RegistryPrint, height: number) =>
    projectFacilityEvent(event, { tx: tables.client<Prisma.TransactionClient>(), block: block(height) });
  return { tables, apply };
}

describe("the facility registry projection", () => {
  it("writes a registration as a pending facility with its kWh and kW, and publishes them as JSON numbers", async () => {
    const { tables, apply } = readModel();

    const derived = await apply(registered(1n, 2_000n, 500n), 5);

    expect(tables.row("facility", { id: 1 })).toEqual({
      id: 1,
      owner: OWNER,
      name: "Harbour Battery",
      location: "Rotterdam, NL",
      capacityKwh: 2_000n,
      maxPowerKw: 500n,
      status: "pending",
      rejectionReason: null,
      registeredTxid: "0xa1",
      registeredHeight: 5,
      registeredAt: new Date("2026-11-24T07:00:05Z"),
      lastTxid: "0xa1",
      lastHeight: 5,
      updatedAt: new Date("2026-11-24T07:00:05Z"),
    });
    expect(derived).toEqual([
      {
        type: "facility.registered",
        payload: expect.objectContaining({ facilityId: 1, owner: OWNER, capacityKwh: 2000, maxPowerKw: 500 }),
      },
    ]);
  });

  it("does not take a reviewed facility back to pending when its registration is applied again (a replay)", async () => {
    const { tables, apply } = readModel();
    await apply(registered(2n, 2_000n, 500n), 5);
    await apply(
      print({ topic: "facility-rejected", facilityId: 2n, owner: OWNER, reason: "no permit", admin: ADMIN }, "b2"),
      6,
    );
    await apply(print({ topic: "facility-reinstated", facilityId: 2n, owner: OWNER, admin: ADMIN }, "c3"), 7);

    await apply(registered(2n, 2_000n, 500n), 5);

    expect(tables.rows("facility")).toHaveLength(1);
    expect(tables.row("facility", { id: 2 })).toMatchObject({
      status: "approved",
      rejectionReason: null,
      registeredHeight: 5,
      lastTxid: "0xc3",
      lastHeight: 7,
    });
  });

  it("keeps a rejection's reason until the facility is approved", async () => {
    const { tables, apply } = readModel();
    await apply(registered(3n, 100n, 50n), 5);

    await apply(
      print({ topic: "facility-rejected", facilityId: 3n, owner: OWNER, reason: "no permit", admin: ADMIN }, "b2"),
      6,
    );

    expect(tables.row("facility", { id: 3 })).toMatchObject({
      status: "rejected",
      rejectionReason: "no permit",
      lastHeight: 6,
    });
  });

  it("does not follow a facility declaring more kWh than a JSON number carries exactly (2^53 + 1), nor its approval", async () => {
    const { tables, apply } = readModel();
    const beyond = 9_007_199_254_740_993n;

    expect(await apply(registered(4n, beyond, 500n), 5)).toEqual([]);
    const approval = await apply(
      print(
        {
          topic: "facility-approved",
          facilityId: 4n,
          owner: OWNER,
          capacityKwh: beyond,
          maxPowerKw: 500n,
          admin: ADMIN,
        },
        "b2",
      ),
      6,
    );

    expect(approval).toEqual([]);
    expect(tables.rows("facility")).toEqual([]);
  });

  it("records an operator of a followed facility, and only publishes one of a facility it does not hold", async () => {
    const { tables, apply } = readModel();
    await apply(registered(5n, 100n, 50n), 5);

    await apply(print({ topic: "operator-set", facilityId: 5n, operator: OPERATOR, enabled: true }, "b2"), 6);
    await apply(print({ topic: "operator-set", facilityId: 5n, operator: OPERATOR, enabled: false }, "c3"), 7);
    const unknown = await apply(
      print({ topic: "operator-set", facilityId: 99n, operator: OPERATOR, enabled: true }, "d4"),
      8,
    );

    expect(tables.rows("facilityOperator")).toEqual([
      {
        facilityId: 5,
        operator: OPERATOR,
        enabled: false,
        lastTxid: "0xc3",
        lastHeight: 7,
        updatedAt: new Date("2026-11-24T07:00:07Z"),
      },
    ]);
    expect(tables.row("facility", { id: 5 })).toMatchObject({ lastTxid: "0xc3", lastHeight: 7 });
    expect(unknown).toEqual([
      { type: "facility.operator.set", payload: { facilityId: 99, operator: OPERATOR, enabled: true } },
    ]);
  });
});
