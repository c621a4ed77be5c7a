import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import {
  broadcastTransaction,
  Cl,
  type ClarityValue,
  cvToValue,
  fetchCallReadOnlyFunction,
  makeContractCall,
  PostConditionMode,
} from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "@voltstack/cli";
import { ApiRequestError, type ServiceName, type VoltstackClient } from "@voltstack/client";
import { eventStreams } from "@voltstack/events";
import { durableName, EVENT_ID_HEADER, SubjectNaming } from "@voltstack/messaging";
import { natsUrl, waitFor } from "@voltstack/service-testing";
import { type OtlpCollector, startOtlpCollector } from "./otlp-collector.js";
import { startSystem, type SystemUnderTest } from "./system-under-test.js";

// The whole system as it runs after `npm start`: the devnet with the contracts, the five
// services as separate processes with their own schemas, real NATS JetStream and
// PostgreSQL. Everything goes through the HTTP APIs, a wallet or the bus.

const execFileAsync = promisify(execFile);
let system: SystemUnderTest;
let deployer: string;
// Every service exports its spans here, as it would to an OpenTelemetry Collector.
let collector: OtlpCollector;
// The trace id every request of the demo carried.
let demoTraceId: string | undefined;

beforeAll(async () => {
  collector = await startOtlpCollector();
  system = await startSystem(collector.env);
  deployer = system.stack.devnet.accounts.get("deployer")!.address;
}, 180_000);

afterAll(async () => {
  await system?.close();
  await collector?.close();
}, 120_000);

function eventsOf(subject: string, facilityId?: number) {
  return system.tail.events.filter(
    (tailed) => tailed.subject === subject && (facilityId === undefined || tailed.event.facilityId === facilityId),
  );
}

async function refusal(work: Promise<unknown>): Promise<ApiRequestError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiRequestError);
  return error as ApiRequestError;
}

async function readOnly(contract: string, functionName: string, args: Parameters<typeof Cl.uint>[0][] = []) {
  const result = await fetchCallReadOnlyFunction({
    contractAddress: deployer,
    contractName: contract,
    functionName,
    functionArgs: args.map((arg) => Cl.uint(arg)),
    senderAddress: deployer,
    network: "devnet",
    client: { baseUrl: system.stack.devnet.url },
  });
  return cvToValue(result);
}

/** The next nonce of every principal the services sign for: unchanged means nothing was signed. */
async function callerNonces(): Promise<number[]> {
  return Promise.all(
    system.stack.credentials.map(async ({ principal }) => {
      const response = await fetch(`${system.stack.devnet.url}/v2/accounts/${principal}`);
      return ((await response.json()) as { nonce: number }).nonce;
    }),
  );
}

async function journalSize(client: VoltstackClient, service: ServiceName): Promise<number> {
  return (await client.transactions(service, { limit: 100 })).items.length;
}

describe("the whole flow over HTTP, NATS, PostgreSQL and the devnet", () => {
  it("pays a fulfilled request's payout to three stakeholders exactly, to the micro-STX", async () => {
    const stakeholders = system.stack.stakeholders as [string, string, string];
    const report = await runDemo({
      urls: system.urls,
      devnetUrl: system.stack.devnet.url,
      callers: { admin: system.caller("admin"), ownerA: system.caller("owner-1"), ownerB: system.caller("owner-2") },
      stakeholders,
    });
    demoTraceId = report.traceId;

    // 1,000,000,007 µSTX at 95 % performance: 950,000,006 µSTX into the pool (rounded down).
    expect(report.payoutUstx).toBe("950000006");
    // 50/30/20 %: 475,000,003 + 285,000,001 + 190,000,001 = 950,000,005; the 1 µSTX left goes to the 50 %.
    expect(report.balances.map((balance) => balance.receivedUstx)).toEqual(["475000004", "285000001", "190000001"]);
    for (const balance of report.balances) {
      expect(BigInt(balance.afterUstx) - BigInt(balance.beforeUstx)).toBe(BigInt(balance.receivedUstx));
    }
    expect(report.conserved).toBe(true);
    expect(report.distribution.status).toBe("distributed");

    // The escrow: the payment locked in grid-services when the request was created, all of it
    // released on fulfilment, the 5 % not earned refunded to the grid key that paid it.
    expect(report.escrow.contract).toBe(`${deployer}.grid-services`);
    expect(BigInt(report.escrow.lockedUstx) - BigInt(report.escrow.beforeUstx)).toBe(1_000_000_007n);
    expect(report.escrow.releasedUstx).toBe(report.escrow.beforeUstx);
    expect(report.refundUstx).toBe("50000001");
    expect(BigInt(report.payoutUstx) + BigInt(report.refundUstx)).toBe(1_000_000_007n);
    // Every address shown has a name and a role.
    expect(report.balances.map((balance) => balance.name)).toEqual([
      "Northwind Capital",
      "Hollis Farm",
      "Riverside community fund",
    ]);
    expect(report.parties.map((party) => party.principal)).toEqual(
      expect.arrayContaining([...stakeholders, system.caller("admin").principal, report.requester]),
    );
    expect(report.parties.every((party) => party.name !== "" && party.role !== "")).toBe(true);

    const [facilityA, facilityB] = report.facilityIds;
    const admin = system.client("admin");
    // The read models agree with the chain.
    const payments = await admin.revenue.facilityPayments(facilityA);
    expect(payments.totalUstx).toBe("950000006");
    expect(payments.items.map((payment) => payment.txid)).toEqual(Array(3).fill(report.distribution.distributionTxid));
    expect((await admin.revenue.pool(facilityA)).balanceUstx).toBe("0");
    const request = await admin.grid.getRequest(report.requestId);
    expect(request).toMatchObject({ status: "fulfilled", facilityId: facilityA, payoutUstx: "950000006" });
    expect(request.refundUstx).toBe("50000001");
    const capacity = await admin.capacity.get(facilityA);
    expect(capacity).toMatchObject({ storedKwh: 3000, reservedKwh: 0, availableKwh: 3000 });
    expect((await admin.facilities.get(facilityB)).status).toBe("approved");

    // Every step published its event once the chain confirmed it, carrying the txid.
    await waitFor("revenue.distributed on the bus", () => eventsOf("revenue.distributed", facilityA).length === 1);
    for (const subject of ["facility.registered", "facility.approved", "capacity.initialized"]) {
      expect(eventsOf(subject, facilityA)).toHaveLength(1);
      expect(eventsOf(subject, facilityB)).toHaveLength(1);
    }
    expect(eventsOf("shares.updated", facilityA)).toHaveLength(1);
    expect(eventsOf("service.fulfilled", facilityA)).toHaveLength(1);
    const distributed = eventsOf("revenue.distributed", facilityA)[0]!.event;
    expect(distributed.chain?.txId).toBe(report.distribution.distributionTxid);
    expect(distributed.payload).toMatchObject({ amountUstx: "950000006", paymentCount: 3 });
    const demandSteps = report.steps.filter((step) => step.service === "flow");
    expect(eventsOf("grid.demand.updated").map((tailed) => tailed.event.chain?.txId)).toContain(demandSteps[0]!.txid);
  }, 180_000);

  it("keeps the demo's trace id from its requests through the chain and every service to the payout", async () => {
    const traceId = demoTraceId!;
    const inTrace = () => collector.spans().filter((span) => span.traceId === traceId);
    const named = (service: string, name: string) =>
      inTrace().some((span) => span.service === `voltstack-${service}` && span.name.startsWith(name));
    await waitFor(
      "the payout's spans in the demo's trace",
      () => named("revenue", "chain.confirmed revenue-sharing") && named("revenue", "revenue distribution-batch"),
    );
    // Each service, its own name: the request, the write's confirmation read by the service that
    // sent it, the event in the next service, and the batch that paid the payout out.
    expect(new Set(inTrace().map((span) => span.service))).toEqual(
      new Set(["verification", "capacity", "flow", "grid", "revenue"].map((service) => `voltstack-${service}`)),
    );
    expect(named("grid", "chain.confirmed grid-services")).toBe(true);
    expect(named("grid", "send service.fulfilled")).toBe(true);
    expect(named("revenue", "process service.fulfilled")).toBe(true);
    // And the services' JSON log lines carry it, so it can be followed with grep.
    for (const file of system.logFiles) {
      const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line.includes(traceId));
      const records = lines.map((line) => JSON.parse(line) as { trace_id?: string });
      expect(records.filter((record) => record.trace_id === traceId).length, file).toBeGreaterThan(0);
    }
  }, 60_000);

  it("follows a facility and shares an owner made from their own wallet, outside the API", async () => {
    const owner = system.stack.devnet.accounts.get("wallet_6")!;
    const stakeholder = system.stack.devnet.accounts.get("wallet_7")!.address;
    const client = { baseUrl: system.stack.devnet.url };
    const call = async (contractName: string, functionName: string, functionArgs: ClarityValue[]) => {
      const transaction = await makeContractCall({
        contractAddress: deployer,
        contractName,
        functionName,
        functionArgs,
        senderKey: owner.secretKey,
        network: "devnet",
        client,
        fee: 10_000,
        postConditionMode: PostConditionMode.Deny,
      });
      const result = await broadcastTransaction({ transaction, network: "devnet", client });
      expect(result).not.toHaveProperty("error");
      return `0x${(result as { txid: string }).txid.replace(/^0x/, "")}`;
    };
    const registerTxid = await call("facility-registry", "register-facility", [
      Cl.stringUtf8("Wallet-registered battery"),
      Cl.stringUtf8("Depot 9"),
      Cl.uint(900),
      Cl.uint(300),
    ]);
    const registered = await waitFor("facility.registered from the wallet", () =>
      system.tail.events.find(
        (tailed) => tailed.subject === "facility.registered" && tailed.event.chain?.txId === registerTxid,
      ),
    );
    const facilityId = registered.event.facilityId!;
    expect(registered.event.payload).toMatchObject({ owner: owner.address, capacityKwh: 900 });
    const admin = system.client("admin");
    expect(await admin.facilities.get(facilityId)).toMatchObject({ owner: owner.address, status: "pending" });

    const sharesTxid = await call("revenue-sharing", "set-stakeholder-shares", [
      Cl.uint(facilityId),
      Cl.list([Cl.tuple({ stakeholder: Cl.principal(stakeholder), "share-bps": Cl.uint(10_000) })]),
    ]);
    const shares = await waitFor("shares.updated from the wallet", () =>
      system.tail.events.find(
        (tailed) => tailed.subject === "shares.updated" && tailed.event.chain?.txId === sharesTxid,
      ),
    );
    expect(shares.event.facilityId).toBe(facilityId);
    expect((await admin.revenue.pool(facilityId)).shares).toEqual([{ stakeholder, shareBps: 10_000 }]);
    // Nothing in the services' journals: these transactions were not theirs.
    const journal = await admin.transactions("verification", { limit: 100 });
    expect(journal.items.map((entry) => entry.txid)).not.toContain(registerTxid);
  }, 120_000);

  it("distributes once when service.fulfilled comes twice and the revenue service dies before its ack", async () => {
    const admin = system.client("admin");
    const ownerA = system.client("owner-1");
    const facilityId = (await admin.facilities.list({ owner: system.caller("owner-1").principal })).items[0]!.id;
    const distributionsBefore = BigInt(await readOnly("revenue-sharing", "get-last-distribution-id"));
    const stakeholders = (await admin.revenue.pool(facilityId)).shares;
    const tip = (await (await fetch(`${system.stack.devnet.url}/v2/info`)).json()) as { stacks_tip_height: number };
    const { requestId } = await admin.grid.createRequest({
      serviceType: "frequency-regulation",
      powerKw: 100,
      energyKwh: 200,
      paymentUstx: "3000001",
      expiresAt: tip.stacks_tip_height + 1_000,
    });
    await ownerA.grid.accept(requestId, { facilityId });

    // Fulfil, then hold every later transaction in the mempool: the batch the revenue
    // service sends for service.fulfilled (distribute-pools) is broadcast but cannot confirm.
    const fulfilled = await admin.grid.fulfil(requestId, { performanceBps: 10_000 });
    await system.miner.pause();
    // The chain write happened: the node holds the distribution in its mempool.
    const pending = await waitFor(
      "the revenue service's distribution in the mempool",
      async () => {
        const entry = (await admin.transactions("revenue", { status: "pending" })).items.find(
          (candidate) => candidate.functionName === "distribute-pools",
        );
        if (!entry?.txid) return undefined;
        const response = await fetch(`${system.stack.devnet.url}/extended/v1/tx/${entry.txid}`);
        if (!response.ok) return undefined;
        return ((await response.json()) as { tx_status: string }).tx_status === "pending" ? entry : undefined;
      },
      30_000,
    );
    await system.stack.services.revenue.kill();

    // The same event once more, as a redelivery from another path would bring it.
    const original = await waitFor("service.fulfilled", () =>
      system.tail.events.find(
        (tailed) => tailed.subject === "service.fulfilled" && tailed.event.requestId === requestId,
      ),
    );
    const nats = await connect({ servers: natsUrl });
    const headers = natsHeaders();
    headers.set(EVENT_ID_HEADER, original.event.eventId);
    const copy = await jetstream(nats).publish(
      `${system.stack.subjectPrefix}service.fulfilled`,
      JSON.stringify(original.event),
      { msgID: `${original.event.eventId}:again`, headers },
    );

    system.miner.resume();
    await system.stack.services.revenue.start();
    const distribution = await waitFor(
      "the fulfilment's distribution settled",
      async () => {
        const intent = await admin.revenue.fulfilmentDistribution(requestId).catch(() => undefined);
        return intent?.status === "distributed" ? intent : undefined;
      },
      60_000,
    );
    expect(distribution.distributionTxid).toBe(pending.txid);
    // Both deliveries (the unacknowledged one and the copy) are acknowledged before counting.
    const jsm = await jetstreamManager(nats);
    const stream = new SubjectNaming(system.stack.subjectPrefix).streamName(eventStreams.GRID_SERVICES.name);
    const consumer = durableName("revenue", "service.fulfilled");
    await waitFor(
      "the revenue service's consumer to have acknowledged both deliveries",
      async () => {
        const info = await jsm.consumers.info(stream, consumer);
        return info.ack_floor.stream_seq >= copy.seq && info.num_ack_pending === 0 && info.num_pending === 0;
      },
      60_000,
    );
    await nats.close();

    expect(BigInt(await readOnly("revenue-sharing", "get-last-distribution-id"))).toBe(distributionsBefore + 1n);
    const sent = (await admin.transactions("revenue", { limit: 100 })).items.filter(
      (entry) => entry.functionName === "distribute-pools" && entry.requestedBy === pending.requestedBy,
    );
    expect(sent.map((entry) => entry.txid)).toEqual([pending.txid]);
    const payments = (await admin.revenue.facilityPayments(facilityId)).items.filter(
      (payment) => payment.txid === pending.txid,
    );
    expect(payments.reduce((sum, payment) => sum + BigInt(payment.amountUstx), 0n)).toBe(BigInt(fulfilled.payoutUstx));
    expect(payments).toHaveLength(stakeholders.length);
  }, 180_000);
});

describe("refusals change nothing", () => {
  const owners = () => ({
    admin: system.client("admin"),
    ownerA: system.client("owner-1"),
    ownerB: system.client("owner-2"),
    anonymous: system.client(),
  });

  it("refuses every mutating route of the five OpenAPI documents without credentials, with a role it does not list, or with a malformed body", async () => {
    const callers = { admin: "admin", owner: "owner-1", operator: "operator" } as const;
    type Role = keyof typeof callers;
    const routes: { service: ServiceName; method: string; path: string; roles: Role[] }[] = [];
    for (const [service, url] of Object.entries(system.urls) as [ServiceName, string][]) {
      const document = (await (await fetch(`${url}/docs/json`)).json()) as {
        paths: Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>;
      };
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (!["post", "put", "patch", "delete"].includes(method)) continue;
          const required = /^Requires role (.+)$/.exec(operation.responses?.["403"]?.description ?? "");
          routes.push({
            service,
            method: method.toUpperCase(),
            path: path.replace(/\{[^}]+\}/g, (param) =>
              param === "{principal}" ? system.caller("owner-2").principal : "1",
            ),
            roles: required ? (required[1]!.split(" or ") as Role[]) : [],
          });
        }
      }
    }
    // Every service has at least its dead-letter replay and re-sync.
    expect(new Set(routes.map((route) => route.service)).size).toBe(5);
    expect(routes.length).toBeGreaterThanOrEqual(25);

    const stable = async () => {
      let previous = await system.databaseSnapshot();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const current = await system.databaseSnapshot();
        if (JSON.stringify(current) === JSON.stringify(previous)) return current;
        previous = current;
      }
    };
    const before = await stable();
    const noncesBefore = await callerNonces();
    const send = (route: (typeof routes)[number], apiKey: string | undefined, body: string) =>
      fetch(`${system.urls[route.service]}${route.path}`, {
        method: route.method,
        headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body,
      });

    for (const route of routes) {
      const what = `${route.service} ${route.method} ${route.path}`;
      const anonymous = await send(route, undefined, "{}");
      expect({ what, status: anonymous.status }).toEqual({ what, status: 401 });
      expect(((await anonymous.json()) as { code: string }).code).toBe("UNAUTHENTICATED");

      const outsider = (Object.keys(callers) as Role[]).find((role) => !route.roles.includes(role));
      if (outsider && route.roles.length > 0) {
        const wrongRole = await send(route, system.caller(callers[outsider]).apiKey, "{}");
        expect({ what, outsider, status: wrongRole.status }).toEqual({ what, outsider, status: 403 });
        expect(((await wrongRole.json()) as { code: string }).code).toBe("ROLE_NOT_ALLOWED");
      }

      const allowed = route.roles[0] ?? "admin";
      const malformed = await send(route, system.caller(callers[allowed]).apiKey, '{"half": ');
      expect({ what, status: malformed.status }).toEqual({ what, status: 400 });
      expect(((await malformed.json()) as { code: string }).code).toBe("MALFORMED_JSON");
    }

    // No transaction was signed (the services sign only for the local callers) and no row changed.
    expect(await callerNonces()).toEqual(noncesBefore);
    expect(await stable()).toEqual(before);
  }, 120_000);

  it("refuses named cases across the services: no credentials, a wrong role, another owner's facility", async () => {
    const { admin, ownerA, ownerB, anonymous } = owners();
    const facilityA = (await admin.facilities.list({ owner: system.caller("owner-1").principal })).items[0]!.id;
    const openRequest = await admin.grid.createRequest({
      serviceType: "frequency-regulation",
      powerKw: 10,
      energyKwh: 10,
      paymentUstx: "1000",
      expiresAt: 100_000,
    });
    const journals = async () =>
      Promise.all((["verification", "capacity", "flow", "grid", "revenue"] as const).map((s) => journalSize(admin, s)));
    const before = await journals();
    const nonces = async () =>
      Promise.all(
        ["admin", "owner-1", "owner-2"].map(async (name) => {
          const response = await fetch(`${system.stack.devnet.url}/v2/accounts/${system.caller(name).principal}`);
          return ((await response.json()) as { nonce: number }).nonce;
        }),
      );
    const noncesBefore = await nonces();

    const attempts: [string, () => Promise<unknown>, number, string][] = [
      [
        "register without credentials",
        () =>
          anonymous.facilities.register({
            owner: system.caller("owner-1").principal,
            name: "x",
            location: "",
            capacityKwh: 1,
            maxPowerKw: 1,
          }),
        401,
        "UNAUTHENTICATED",
      ],
      ["approve as an owner", () => ownerA.facilities.approve(facilityA), 403, "ROLE_NOT_ALLOWED"],
      [
        "register for another owner",
        () =>
          ownerB.facilities.register({
            owner: system.caller("owner-1").principal,
            name: "x",
            location: "",
            capacityKwh: 1,
            maxPowerKw: 1,
          }),
        403,
        "PRINCIPAL_NOT_ALLOWED",
      ],
      [
        "reading without credentials",
        () => anonymous.capacity.recordReading(facilityA, { storedKwh: 1 }),
        401,
        "UNAUTHENTICATED",
      ],
      ["set demand as an owner", () => ownerA.flow.setDemand({ demandLevelPercent: 10 }), 403, "ROLE_NOT_ALLOWED"],
      ["charge a foreign facility", () => ownerB.flow.charge(facilityA, { energyKwh: 1 }), 403, ""],
      [
        "frequency target as an owner",
        () => ownerA.grid.setFrequencyTarget({ targetMhz: 50_000, deadbandMhz: 100 }),
        403,
        "ROLE_NOT_ALLOWED",
      ],
      [
        "create a request as an owner",
        () =>
          ownerA.grid.createRequest({
            serviceType: "x",
            powerKw: 1,
            energyKwh: 1,
            paymentUstx: "1",
            expiresAt: 100_000,
          }),
        403,
        "ROLE_NOT_ALLOWED",
      ],
      [
        "accept with a foreign facility",
        () => ownerB.grid.accept(openRequest.requestId, { facilityId: facilityA }),
        403,
        "FACILITY_NOT_AUTHORIZED",
      ],
      [
        "fulfil without credentials",
        () => anonymous.grid.fulfil(openRequest.requestId, { performanceBps: 1 }),
        401,
        "UNAUTHENTICATED",
      ],
      [
        "shares of a foreign facility",
        () =>
          ownerB.revenue.setShares(facilityA, [{ stakeholder: system.caller("owner-2").principal, shareBps: 10_000 }]),
        403,
        "",
      ],
      [
        "shares as an admin",
        () =>
          admin.revenue.setShares(facilityA, [{ stakeholder: system.caller("owner-2").principal, shareBps: 10_000 }]),
        403,
        "ROLE_NOT_ALLOWED",
      ],
      [
        "replay a dead letter as an owner",
        () => ownerA.replayDeadLetter("revenue", "00000000-0000-4000-8000-000000000000"),
        403,
        "ROLE_NOT_ALLOWED",
      ],
    ];
    for (const [what, attempt, status, code] of attempts) {
      const error = await refusal(attempt());
      expect({ what, status: error.status }).toEqual({ what, status });
      expect(error.code, what).toMatch(/^[A-Z][A-Z0-9_]+$/);
      if (code) expect({ what, code: error.code }).toEqual({ what, code });
    }

    expect(await journals()).toEqual(before);
    expect(await nonces()).toEqual(noncesBefore);
    expect((await admin.revenue.pool(facilityA)).shares).toHaveLength(3);
  }, 120_000);

  it("answers bad input with a 4xx and a clear code, and a contract refusal with the contract's code", async () => {
    const { admin, ownerA } = owners();
    const facilityA = (await admin.facilities.list({ owner: system.caller("owner-1").principal })).items[0]!.id;
    const before = await journalSize(admin, "grid");

    const malformed = await fetch(`${system.urls.verification}/facilities`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.caller("owner-1").apiKey}`, "content-type": "application/json" },
      body: '{"owner": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe("MALFORMED_JSON");

    const invalid: [string, () => Promise<unknown>, number, string][] = [
      [
        "a string for a number",
        () =>
          ownerA.request("verification", "POST", "facilities", {
            body: {
              owner: system.caller("owner-1").principal,
              name: "x",
              location: "",
              capacityKwh: "lots",
              maxPowerKw: 1,
            },
          }),
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a huge number",
        () =>
          ownerA.facilities.register({
            owner: system.caller("owner-1").principal,
            name: "x",
            location: "",
            capacityKwh: 1e30,
            maxPowerKw: 1,
          }),
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a negative payment",
        () =>
          admin.grid.createRequest({
            serviceType: "x",
            powerKw: 1,
            energyKwh: 1,
            paymentUstx: "-5",
            expiresAt: 100_000,
          }),
        400,
        "VALIDATION_FAILED",
      ],
      ["a negative charge", () => ownerA.flow.charge(facilityA, { energyKwh: -1 }), 400, "VALIDATION_FAILED"],
      [
        "shares not adding up",
        () =>
          ownerA.revenue.setShares(facilityA, [{ stakeholder: system.caller("owner-2").principal, shareBps: 9_999 }]),
        400,
        "VALIDATION_FAILED",
      ],
      ["an unknown facility", () => admin.facilities.get(999_999), 404, ""],
      ["an unknown request", () => ownerA.grid.accept(999_999, { facilityId: facilityA }), 404, "REQUEST_NOT_FOUND"],
    ];
    for (const [what, attempt, status, code] of invalid) {
      const error = await refusal(attempt());
      expect({ what, status: error.status }).toEqual({ what, status });
      expect(error.code, what).toMatch(/^[A-Z][A-Z0-9_]+$/);
      if (code) expect({ what, code: error.code }).toEqual({ what, code });
    }
    expect(await journalSize(admin, "grid")).toBe(before);

    // More energy than the facility has available: refused by grid-services itself.
    const big = await admin.grid.createRequest({
      serviceType: "frequency-regulation",
      powerKw: 10,
      energyKwh: 4_000_000,
      paymentUstx: "1000",
      expiresAt: 100_000,
    });
    const refused = await refusal(ownerA.grid.accept(big.requestId, { facilityId: facilityA }));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(refused.code).toBe("ERR_INSUFFICIENT_CAPACITY");
    expect((await admin.grid.getRequest(big.requestId)).status).toBe("open");
  }, 120_000);
});

describe("the operator CLI against the running system", () => {
  const bin = fileURLToPath(new URL("../../cli/bin/voltstack.js", import.meta.url));
  const cli = async (apiKey: string, ...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, VOLTSTACK_API_KEY: apiKey };
    for (const [name, url] of Object.entries(system.urls)) env[`VOLTSTACK_${name.toUpperCase()}_URL`] = url;
    return execFileAsync(process.execPath, [bin, ...args], { env }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
  };

  it("prints tables for people, JSON for scripts, and refusals with their code and a non-zero exit", async () => {
    const admin = system.caller("admin").apiKey;
    const table = await cli(admin, "facilities", "list");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id\s+name\s+status\s+owner/m);
    expect(table.stdout).toContain("Riverside battery");

    const json = await cli(admin, "requests", "list", "--status", "fulfilled", "--json");
    expect(json.code).toBe(0);
    const requests = JSON.parse(json.stdout) as { items: { status: string; payoutUstx: string }[] };
    expect(requests.items.length).toBeGreaterThanOrEqual(2);
    expect(requests.items.every((request) => request.status === "fulfilled")).toBe(true);
    expect(requests.items.map((request) => request.payoutUstx)).toContain("950000006");

    const before = await system.client("admin").facilities.list();
    const resynced = await cli(admin, "resync", "run", "verification", "--from-height", "0", "--json");
    expect(resynced.code).toBe(0);
    expect(JSON.parse(resynced.stdout).syncedHeight).toBeGreaterThan(0);
    expect(await system.client("admin").facilities.list()).toEqual(before);

    const refused = await cli(system.caller("owner-1").apiKey, "facilities", "approve", "1", "--json");
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { status: 403, code: "ROLE_NOT_ALLOWED" } });
  }, 60_000);

  it("shows the chain's tip and every service's follower at it", async () => {
    const status = await cli(system.caller("operator").apiKey, "status", "--json");
    expect(status.code).toBe(0);
    const shown = JSON.parse(status.stdout) as {
      tipHeight: number;
      secondsPerBlock: number | null;
      services: { service: string; ready: boolean; followerHeight: number; lagBlocks: number }[];
    };
    expect(shown.tipHeight).toBeGreaterThan(0);
    expect(shown.secondsPerBlock).toBeGreaterThan(0);
    expect(shown.services.map((entry) => entry.service)).toEqual([
      "verification",
      "capacity",
      "flow",
      "grid",
      "revenue",
    ]);
    for (const entry of shown.services) {
      expect(entry).toMatchObject({ ready: true });
      // Each follower read up to the tip when asked (a block or two may have come since).
      expect(entry.followerHeight).toBeGreaterThanOrEqual(shown.tipHeight - 5);
      expect(entry.lagBlocks).toBeLessThanOrEqual(5);
    }
  }, 60_000);

  it("lets an owner delegate its facility to an operator and take it back", async () => {
    const owner = system.caller("owner-1").apiKey;
    const operator = system.caller("operator").principal;
    const [facility] = (await system.client("admin").facilities.list({ owner: system.caller("owner-1").principal }))
      .items;
    const id = String(facility!.id);
    expect((await cli(owner, "operators", "enable", id, operator, "--json")).code).toBe(0);
    const listed = JSON.parse((await cli(owner, "operators", "list", id, "--json")).stdout) as {
      operators: { operator: string; enabled: boolean }[];
    };
    expect(listed.operators).toContainEqual(expect.objectContaining({ operator, enabled: true }));
    expect((await cli(owner, "operators", "disable", id, operator, "--json")).code).toBe(0);
    expect((await system.client("admin").facilities.get(facility!.id)).operators).toContainEqual(
      expect.objectContaining({ operator, enabled: false }),
    );
  }, 60_000);
});
