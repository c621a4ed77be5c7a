import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initSimnet, type Simnet } from "@stacks/clarinet-sdk";
import { Cl, type ClarityValue, cvToHex } from "@stacks/transactions";
import { type PrintEvent, StacksChain } from "@voltstack/chain";
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

// The real contracts run in a simnet and their print events are decoded by
// @voltstack/chain, as the services receive them; every print of a scenario that
// touches every topic must turn into a valid payload. A contract that renames or
// drops a printed field, or a decoder that names it differently, fails here.
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

type Printed = { contract: ContractName; payload: Record<string, unknown> };

function payloadsOf(transaction: Printed[], topic: string): Record<string, unknown>[] {
  return transaction.filter((print) => print.payload.topic === topic).map((print) => print.payload);
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

    const chain = new StacksChain({ network: "devnet", contracts: { deployer } });
    const call = (contract: ContractName, method: string, args: ClarityValue[], sender: string) => {
      const { result, events } = simnet.callPublicFn(contract, method, args, sender);
      expect(result.type, `${contract}.${method}`).toBe("ok");
      const logs = events
        .filter((event) => event.event === "print_event")
        .map((event, index) => {
          const data = event.data as { contract_identifier: string; value: ClarityValue };
          return {
            event_index: index,
            event_type: "smart_contract_log",
            contract_log: {
              contract_id: data.contract_identifier,
              topic: "print",
              value: { hex: cvToHex(data.value) },
            },
          };
        });
      printed.push(
        chain.printEvents(logs).map((print: PrintEvent) => ({
          contract: print.contract,
          payload: print.payload as unknown as Record<string, unknown>,
        })),
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
    // Program 1 runs two periods of 2 blocks with facility 1 in cohort 0: settled, paid out, closed and released.
    // Program 2 is cancelled before its start, after facility 1 enrolled and withdrew.
    const start = simnet.blockHeight + 5;
    const createProgram = (startHeight: number) =>
      call(
        "grid-services",
        "create-program",
        [
          Cl.stringAscii("frequency-regulation"),
          Cl.uint(startHeight),
          Cl.uint(2),
          Cl.uint(2),
          Cl.uint(1_000),
          Cl.uint(10),
          Cl.uint(10_000_000),
          Cl.uint(20),
        ],
        deployer,
      );
    createProgram(start);
    call("grid-services", "enrol-facility", [Cl.uint(1), Cl.uint(1), Cl.uint(100)], operator);
    createProgram(start + 100);
    call("grid-services", "enrol-facility", [Cl.uint(2), Cl.uint(1), Cl.uint(100)], owner);
    call("grid-services", "withdraw-facility", [Cl.uint(2), Cl.uint(1)], owner);
    call("grid-services", "cancel-program", [Cl.uint(2)], deployer);
    const settle = (period: number, performanceBps: number, deliveredKwh: number) =>
      call(
        "grid-services",
        "settle-period",
        [
          Cl.uint(1),
          Cl.uint(0),
          Cl.uint(period),
          Cl.bufferFromHex(String(period).repeat(64)),
          Cl.list([Cl.tuple({ "performance-bps": Cl.uint(performanceBps), "delivered-kwh": Cl.uint(deliveredKwh) })]),
        ],
        oracle,
      );
    simnet.mineEmptyBlocks(start + 2 - simnet.blockHeight);
    settle(0, 9_500, 50);
    call("grid-services", "distribute-earnings", [Cl.uint(1), Cl.uint(0), Cl.list([Cl.uint(95_500)])], deployer);
    simnet.mineEmptyBlocks(start + 4 - simnet.blockHeight);
    settle(1, 0, 0);
    call("grid-services", "close-program", [Cl.uint(1)], deployer);
    call("grid-services", "release-cohort", [Cl.uint(1), Cl.uint(0)], owner);
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
      const payments = payloadsOf(transaction, "revenue-paid");
      for (const { contract, payload: print } of transaction) {
        const type = eventTypeForContractPrint(contract, String(print.topic));
        if (print.topic === "revenue-paid") continue;
        expect(type, `${contract} ${String(print.topic)}`).toBeDefined();
        const payload = payloadFromPrint(
          type as EventType,
          type === "revenue.distributed" ? { ...print, payments } : print,
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
    const fulfilled = prints.find((print) => print.payload.topic === "service-fulfilled");
    expect(payloadFromPrint("service.fulfilled", fulfilled?.payload ?? {})).toMatchObject({
      paymentUstx: 25_000_000n,
      payoutUstx: 23_750_000n,
      refundUstx: 1_250_000n,
      performanceBps: 9_500,
    });
    const distributed =
      printed.find((transaction) => transaction.some((print) => print.payload.topic === "revenue-distributed")) ?? [];
    const payload = payloadFromPrint("revenue.distributed", {
      ...payloadsOf(distributed, "revenue-distributed")[0],
      payments: payloadsOf(distributed, "revenue-paid"),
    });
    expect(payload.amountUstx).toBe(24_750_001n);
    expect(payload.payments.map((paid) => paid.amountUstx)).toEqual([14_850_001n, 7_425_000n, 2_475_000n]);
    const settled = prints.find((print) => print.payload.topic === "program-settled" && print.payload.period === 0n);
    expect(payloadFromPrint("program.settled", settled?.payload ?? {})).toMatchObject({
      totalUstx: 95_500n,
      lines: [{ facilityId: 1, committedKw: 100, performanceBps: 9_500, deliveredKwh: 50, amountUstx: 95_500n }],
    });
  });

  it("renames only fields the decoded prints have", () => {
    for (const type of eventTypes) {
      const origin = eventCatalog[type].origin;
      if (origin.kind !== "chain") continue;
      const fields = new Set<string>();
      const collect = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(collect);
        else if (value !== null && typeof value === "object") {
          for (const [field, item] of Object.entries(value)) {
            fields.add(field);
            collect(item);
          }
        }
      };
      printed
        .flat()
        .filter((print) => print.contract === origin.contract)
        .forEach((print) => collect(print.payload));
      for (const field of Object.keys(origin.renames ?? {}))
        expect(fields, `${type} renames ${field}`).toContain(field);
    }
  });

  it("refuses a print that lost a field, with the event's error code", () => {
    const registered = printed.flat().find((print) => print.payload.topic === "facility-registered")?.payload ?? {};
    const { capacityKwh: dropped, ...broken } = registered;
    expect(dropped).toBe(2000n);
    expect(() => payloadFromPrint("facility.registered", broken)).toThrow(
      expect.objectContaining({ code: "EVENT_INVALID" }),
    );
    expect(() => payloadFromPrint("flow.schedule.updated", {})).toThrow(/not made from a contract print event/);
  });
});
