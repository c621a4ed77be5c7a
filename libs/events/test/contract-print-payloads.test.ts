import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initSimnet, type Simnet } from "@stacks/clarinet-sdk";
import { Cl, type ClarityValue } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEvent,
  eventCatalog,
  eventTypeForContractPrint,
  eventTypes,
  parseEvent,
  payloadFromPrint,
  type ContractName,
  type EventType,
} from "@voltstack/events";

// The real contracts run in a simnet; every print event of a scenario that
// touches every topic must turn into a valid payload. A contract that renames
// or drops a printed field fails here.
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

type Printed = { contract: ContractName; tuple: Record<string, unknown> };

// Clarity values as the chain prints them: uints as bigint, principals and strings as text.
function plain(value: ClarityValue): unknown {
  switch (value.type) {
    case "uint":
    case "int":
      return BigInt(value.value);
    case "true":
      return true;
    case "false":
      return false;
    case "address":
    case "contract":
    case "ascii":
    case "utf8":
      return value.value;
    case "list":
      return value.value.map(plain);
    case "tuple":
      return Object.fromEntries(Object.entries(value.value).map(([key, item]) => [key, plain(item)]));
    case "none":
      return null;
    case "some":
      return plain(value.value);
    default:
      throw new Error(`unexpected Clarity value ${value.type}`);
  }
}

describe("payloads from the contracts' real print events", () => {
  let workdir: string;
  let simnet: Simnet;
  const printed: Printed[][] = [];

  beforeAll(async () => {
    // A private copy, so the SDK's generated files never touch the repository.
    workdir = mkdtempSync(join(tmpdir(), "voltstack-events-"));
    for (const entry of ["Clarinet.toml", "contracts", "settings"])
      cpSync(join(repositoryRoot, entry), join(workdir, entry), { recursive: true });
    simnet = await initSimnet(join(workdir, "Clarinet.toml"), true);
    const accounts = simnet.getAccounts();
    const [deployer, owner, operator, spareAdmin, oracle, investor] = [
      "deployer",
      "wallet_1",
      "wallet_2",
      "wallet_3",
      "wallet_4",
      "wallet_5",
    ].map((name) => accounts.get(name) as string) as [string, string, string, string, string, string];

    const call = (contract: ContractName, method: string, args: ClarityValue[], sender: string) => {
      const { result, events } = simnet.callPublicFn(contract, method, args, sender);
      expect(result.type, `${contract}.${method}`).toBe("ok");
      printed.push(
        events
          .filter((event) => event.event === "print_event")
          .map((event) => {
            const data = event.data as { contract_identifier: string; value: ClarityValue };
            return {
              contract: data.contract_identifier.split(".")[1] as ContractName,
              tuple: plain(data.value) as Record<string, unknown>,
            };
          }),
      );
    };

    call(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8("Harbour"), Cl.stringUtf8("Rotterdam"), Cl.uint(2000), Cl.uint(500)],
      owner,
    );
    call(
      "facility-registry",
      "register-facility",
      [Cl.stringUtf8("Dune"), Cl.stringUtf8(""), Cl.uint(100), Cl.uint(50)],
      owner,
    );
    call("facility-registry", "approve-facility", [Cl.uint(1)], deployer);
    call("facility-registry", "reject-facility", [Cl.uint(2), Cl.stringAscii("no grid connection")], deployer);
    call("facility-registry", "set-operator", [Cl.uint(1), Cl.principal(operator), Cl.bool(true)], owner);
    call("facility-registry", "add-admin", [Cl.principal(spareAdmin)], deployer);
    call("facility-registry", "remove-admin", [Cl.principal(spareAdmin)], deployer);
    call("facility-registry", "suspend-facility", [Cl.uint(1)], deployer);
    call("facility-registry", "reinstate-facility", [Cl.uint(1)], deployer);
    call("capacity-tracking", "initialize-capacity", [Cl.uint(1), Cl.uint(1200)], owner);
    call("capacity-tracking", "update-capacity", [Cl.uint(1), Cl.uint(1300)], operator);
    call("charge-discharge", "set-grid-demand", [Cl.uint(82)], deployer);
    call("charge-discharge", "set-demand-thresholds", [Cl.uint(25), Cl.uint(75)], deployer);
    call("charge-discharge", "record-discharge", [Cl.uint(1), Cl.uint(100)], operator);
    call("charge-discharge", "record-charge", [Cl.uint(1), Cl.uint(50)], owner);
    call("grid-services", "set-frequency-target", [Cl.uint(50_000), Cl.uint(200)], deployer);
    call("grid-services", "set-oracle", [Cl.principal(oracle), Cl.bool(true)], deployer);
    call("grid-services", "report-frequency", [Cl.uint(49_650)], oracle);
    call("grid-services", "report-frequency", [Cl.uint(50_020)], oracle);
    const shares = [
      { stakeholder: owner, bps: 6_000 },
      { stakeholder: operator, bps: 3_000 },
      { stakeholder: investor, bps: 1_000 },
    ].map(({ stakeholder, bps }) => Cl.tuple({ stakeholder: Cl.principal(stakeholder), "share-bps": Cl.uint(bps) }));
    call("revenue-sharing", "set-stakeholder-shares", [Cl.uint(1), Cl.list(shares)], owner);
    const expiresAt = Cl.uint(simnet.blockHeight + 100);
    call(
      "grid-services",
      "create-service-request",
      [Cl.stringAscii("frequency-regulation"), Cl.uint(250), Cl.uint(400), Cl.uint(25_000_000), expiresAt],
      deployer,
    );
    call("grid-services", "accept-request", [Cl.uint(1), Cl.uint(1)], operator);
    call("grid-services", "fulfill-request", [Cl.uint(1), Cl.uint(9_500)], deployer);
    call(
      "grid-services",
      "create-service-request",
      [Cl.stringAscii("peak-shaving"), Cl.uint(100), Cl.uint(100), Cl.uint(1_000_000), expiresAt],
      deployer,
    );
    call("grid-services", "cancel-request", [Cl.uint(2)], deployer);
    call("revenue-sharing", "deposit-revenue", [Cl.uint(1), Cl.uint(1_000_001), Cl.stringAscii("manual")], investor);
    call("revenue-sharing", "distribute-revenue", [Cl.uint(1)], operator);
  }, 60_000);

  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it("turns every print event into a valid event, and covers every event made from the chain", () => {
    const made = new Set<EventType>();
    const meta = {
      chain: { txId: `0x${"cd".repeat(32)}`, blockHeight: 9 },
      traceContext: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    };
    for (const transaction of printed) {
      const payments = transaction.filter((print) => print.tuple.topic === "revenue-paid").map((print) => print.tuple);
      for (const { contract, tuple } of transaction) {
        const type = eventTypeForContractPrint(contract, String(tuple.topic));
        if (tuple.topic === "revenue-paid") continue;
        expect(type, `${contract} ${String(tuple.topic)}`).toBeDefined();
        const payload = payloadFromPrint(
          type as EventType,
          type === "revenue.distributed" ? { ...tuple, payments } : tuple,
        );
        const event = parseEvent(
          type as EventType,
          JSON.parse(JSON.stringify(createEvent(type as EventType, payload, meta))),
        );
        expect(event.payload).toEqual(payload);
        made.add(type as EventType);
      }
    }
    const fromChain = eventTypes.filter((type) => eventCatalog[type].origin.kind === "chain");
    expect([...made].sort()).toEqual([...fromChain].sort());
  });

  it("keeps the contract's numbers: amounts to the micro-STX and the payout split", () => {
    const prints = printed.flat();
    const fulfilled = prints.find((print) => print.tuple.topic === "service-fulfilled");
    expect(payloadFromPrint("service.fulfilled", fulfilled?.tuple ?? {})).toMatchObject({
      paymentUstx: 25_000_000n,
      payoutUstx: 23_750_000n,
      refundUstx: 1_250_000n,
      performanceBps: 9_500,
    });
    const distributed =
      printed.find((transaction) => transaction.some((print) => print.tuple.topic === "revenue-distributed")) ?? [];
    const payload = payloadFromPrint("revenue.distributed", {
      ...distributed.find((print) => print.tuple.topic === "revenue-distributed")?.tuple,
      payments: distributed.filter((print) => print.tuple.topic === "revenue-paid").map((print) => print.tuple),
    });
    expect(payload.amountUstx).toBe(24_750_001n);
    expect(payload.payments.map((paid) => paid.amountUstx)).toEqual([14_850_001n, 7_425_000n, 2_475_000n]);
  });

  it("reads a print decoded with camelCase keys, as libs/chain decodes them, like the Clarity spelling", () => {
    const camel = (key: string) => key.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
    for (const print of printed.flat()) {
      const type = eventTypeForContractPrint(print.contract, String(print.tuple.topic));
      if (!type || type === "revenue.distributed") continue;
      const camelTuple = Object.fromEntries(Object.entries(print.tuple).map(([key, value]) => [camel(key), value]));
      expect(payloadFromPrint(type, camelTuple)).toEqual(payloadFromPrint(type, print.tuple));
    }
  });

  it("refuses a print tuple that lost a field, with the event's error code", () => {
    const registered = printed.flat().find((print) => print.tuple.topic === "facility-registered")?.tuple ?? {};
    const { ["capacity-kwh"]: _dropped, ...broken } = registered;
    expect(_dropped).toBe(2000n);
    expect(() => payloadFromPrint("facility.registered", broken)).toThrow(
      expect.objectContaining({ code: "EVENT_INVALID" }),
    );
    expect(() => payloadFromPrint("flow.schedule.updated", {})).toThrow(/not made from a contract print event/);
  });
});
