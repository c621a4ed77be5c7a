import {
  broadcastTransaction,
  Cl,
  type ClarityValue,
  cvToHex,
  hexToCV,
  makeContractCall,
  Pc,
  PostConditionMode,
} from "@stacks/transactions";
import { toPlain } from "@voltstack/chain";
import {
  parseInclusionProof,
  parseSettlementReport,
  reportRoot,
  type SettlementHeader,
  type SettlementLine,
  verifyInclusion,
} from "@voltstack/settlement";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  balanceOf,
  call,
  confirmed,
  confirmedCall,
  feeOf,
  type Harness,
  startHarness,
  waitFor,
} from "./support/grid-harness.js";

// Programs end to end on one chain, in order: 105 facilities of one owner enrolled through the API
// in two cohorts (100 + 5), settled over three periods by posted performances, by the sweep once
// the deadline passed, closed with its refund and released; each settlement's report served with
// per-facility proofs checked against the root the chain recorded. Real devnet, PostgreSQL, NATS.

const FACILITIES = 105;
const PERIOD_BLOCKS = 20;
const PERIOD_COUNT = 3;
const SETTLE_WINDOW = 200;
const DEADLINE_BLOCKS = 100; // 10 s of 100 ms blocks: the test mines past it when it means to
const CAPACITY_PRICE = 1_000n; // uSTX per committed kW per period
const ENERGY_PRICE = 10n; // uSTX per kWh
const COMMITTED_KW = 100;
const BUDGET = 40_000_000n;

let h: Harness;
let facilityIds: number[];
let programId: number;
let startHeight: number;

async function tipHeight(): Promise<number> {
  const response = await fetch(`${h.devnet.url}/v2/info`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}

/** Mines empty blocks until the tip reaches `height`. */
async function mineTo(height: number): Promise<void> {
  while ((await tipHeight()) < height) await h.devnet.mineBlock();
}

async function readOnly(contract: string, fn: string, args: ClarityValue[]): Promise<unknown> {
  const deployer = h.accounts.deployer.address;
  const response = await fetch(`${h.devnet.url}/v2/contracts/call-read/${deployer}/${contract}/${fn}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sender: deployer, arguments: args.map((arg) => cvToHex(arg)) }),
  });
  const { result } = (await response.json()) as { result: string };
  return toPlain(hexToCV(result));
}

/** The report hash get-settlement answers for (program, cohort, period), as 64 hex digits. */
async function recordedRoot(cohort: number, period: number): Promise<string> {
  const settlement = (await readOnly("grid-services", "get-settlement", [
    Cl.uint(programId),
    Cl.uint(cohort),
    Cl.uint(period),
  ])) as { reportHash: string } | null;
  expect(settlement, `settlement of cohort ${cohort} period ${period} on chain`).not.toBeNull();
  return settlement!.reportHash.replace(/^0x/, "");
}

/** Calls from one wallet with consecutive nonces, 25 at a time (the mempool's chain limit); returns each result. */
async function sendAll(account: Account, calls: { fn: string; contract: string; args: ClarityValue[] }[]) {
  const baseUrl = h.devnet.url;
  const nonceOf = async () =>
    (
      (await (await fetch(`${baseUrl}/extended/v1/address/${account.address}/nonces`)).json()) as {
        possible_next_nonce: number;
      }
    ).possible_next_nonce;
  const results: string[] = [];
  for (let first = 0; first < calls.length; first += 25) {
    const nonce = await nonceOf();
    const txids: string[] = [];
    for (const [index, entry] of calls.slice(first, first + 25).entries()) {
      const transaction = await makeContractCall({
        contractAddress: h.accounts.deployer.address,
        contractName: entry.contract,
        functionName: entry.fn,
        functionArgs: entry.args,
        senderKey: account.secretKey,
        network: "devnet",
        client: { baseUrl },
        fee: 10_000,
        nonce: nonce + index,
        postConditionMode: PostConditionMode.Deny,
      });
      const broadcast = await broadcastTransaction({ transaction, network: "devnet", client: { baseUrl } });
      if ("error" in broadcast) throw new Error(`broadcast refused: ${JSON.stringify(broadcast)}`);
      txids.push(`0x${broadcast.txid.replace(/^0x/, "")}`);
    }
    for (const txid of txids) results.push((await confirmed(h, txid)).result);
  }
  return results;
}

/** What a refusal must leave untouched: the service's journal and outbox, and every signer's nonce. */
async function footprint(): Promise<unknown> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*)::int FROM chain_transactions) AS journal,
            (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT count(*)::int FROM program_settlements) AS settlements`,
  );
  const nonces = await Promise.all(
    [h.accounts.deployer, h.accounts.wallet_1, h.accounts.wallet_3, h.accounts.wallet_4].map(async (account) => {
      const response = await fetch(`${h.devnet.url}/extended/v1/address/${account.address}/nonces`);
      return ((await response.json()) as { possible_next_nonce: number }).possible_next_nonce;
    }),
  );
  return { ...rows[0], nonces };
}

async function expectRefused(
  request: Promise<{ status: number; body: Record<string, unknown> }>,
  status: number,
  code: string,
  details?: Record<string, unknown>,
): Promise<void> {
  const before = await footprint();
  const response = await request;
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.code).toBe(code);
  if (details) expect(response.body.details).toMatchObject(details);
  expect(await footprint()).toEqual(before);
}

/** The contract's rule: committed-kw x capacity-price x performance / 10000 (floor) + delivered x energy-price. */
function amountOf(performanceBps: number, deliveredKwh: number): bigint {
  return (
    (BigInt(COMMITTED_KW) * CAPACITY_PRICE * BigInt(performanceBps)) / 10_000n + BigInt(deliveredKwh) * ENERGY_PRICE
  );
}

/** Performance and delivery of facility i in a period: varied, below the 100 kWh reserved. */
function performanceOf(index: number, period: number): { performanceBps: number; deliveredKwh: number } {
  return { performanceBps: 5_000 + ((index * 37 + period * 11) % 5_001), deliveredKwh: (index * 7 + period) % 100 };
}

function programEvents(type: string): Record<string, unknown>[] {
  return h.received
    .filter((r) => r.subject === type)
    .map((r) => r.event.payload as Record<string, unknown>)
    .filter((payload) => payload.programId === programId);
}

beforeAll(async () => {
  h = await startHarness({
    config: { PROGRAM_SETTLE_INTERVAL_MS: "0", PROGRAM_PERFORMANCE_DEADLINE_BLOCKS: String(DEADLINE_BLOCKS) },
  });
  // 105 approved facilities of wallet_1, 1,000 kWh stored and 400 kW each; wallet_3 a scoring oracle.
  const registered = await sendAll(
    h.accounts.wallet_1,
    Array.from({ length: FACILITIES }, (_, index) => ({
      contract: "facility-registry",
      fn: "register-facility",
      args: [Cl.stringUtf8(`Fleet battery ${index + 1}`), Cl.stringUtf8("Zeeland, NL"), Cl.uint(5_000), Cl.uint(400)],
    })),
  );
  facilityIds = registered.map((repr) => Number(/\(ok u(\d+)\)/.exec(repr)![1]));
  await sendAll(
    h.accounts.deployer,
    facilityIds.map((id) => ({ contract: "facility-registry", fn: "approve-facility", args: [Cl.uint(id)] })),
  );
  await sendAll(
    h.accounts.wallet_1,
    facilityIds.map((id) => ({
      contract: "capacity-tracking",
      fn: "initialize-capacity",
      args: [Cl.uint(id), Cl.uint(1_000)],
    })),
  );
  await confirmedCall(h, h.accounts.deployer, "grid-services", "set-oracle", [
    Cl.principal(h.accounts.wallet_3.address),
    Cl.bool(true),
  ]);
  // The follower projects the oracle (and its outbox row) after the call confirms: the tests'
  // footprints must start once it has, or the first refusal sees that row appear.
  await waitFor("the scoring oracle in grid's read model", async () => {
    const { rows } = await h.db.query<{ oracles: number }>("SELECT count(*)::int AS oracles FROM frequency_oracles");
    return rows[0]!.oracles > 0;
  });
}, 600_000);

afterAll(async () => {
  await h?.close();
});

describe("grid service: programs", () => {
  it("creates a program whose budget the contract escrows: program.created on NATS, the program in the read model", async () => {
    await expectRefused(
      call(h, "POST", "/programs", {
        key: h.keys.admin,
        body: {
          product: "frequency-regulation",
          startHeight: 1,
          periodBlocks: PERIOD_BLOCKS,
          periodCount: PERIOD_COUNT,
          capacityPriceUstx: "1000",
          energyPriceUstx: "10",
          budgetUstx: "1000",
          settleWindow: SETTLE_WINDOW,
        },
      }),
      422,
      "ERR_INVALID_SCHEDULE",
      { startHeight: 1 },
    );
    const escrow = `${h.accounts.deployer.address}.grid-services`;
    const escrowBefore = await balanceOf(h, escrow);
    // Far enough ahead for the 105 enrolments; the test mines its way to the start afterwards.
    startHeight = (await tipHeight()) + 1_500;
    const response = await call(h, "POST", "/programs", {
      key: h.keys.admin,
      body: {
        product: "frequency-regulation",
        startHeight,
        periodBlocks: PERIOD_BLOCKS,
        periodCount: PERIOD_COUNT,
        capacityPriceUstx: CAPACITY_PRICE.toString(),
        energyPriceUstx: ENERGY_PRICE.toString(),
        budgetUstx: BUDGET.toString(),
        settleWindow: SETTLE_WINDOW,
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    programId = response.body.programId as number;
    expect(await balanceOf(h, escrow)).toBe(escrowBefore + BUDGET);
    const created = await waitFor("program.created", () => programEvents("program.created")[0]);
    expect(created).toMatchObject({
      product: "frequency-regulation",
      operator: h.accounts.deployer.address,
      startHeight,
      periodBlocks: PERIOD_BLOCKS,
      periodCount: PERIOD_COUNT,
      budgetUstx: BUDGET.toString(),
      capacityPriceUstx: "1000",
      endHeight: startHeight + PERIOD_BLOCKS * PERIOD_COUNT,
    });
    const program = await call(h, "GET", `/programs/${programId}`);
    expect(program.body).toMatchObject({
      id: programId,
      unit: "kw",
      status: "active",
      budgetUstx: BUDGET.toString(),
      remainingUstx: BUDGET.toString(),
      settleUntilHeight: startHeight + PERIOD_BLOCKS * PERIOD_COUNT + SETTLE_WINDOW,
    });
  });

  it("refuses enrolments the contract would refuse, with its codes and figures, before signing", async () => {
    const [first] = facilityIds as [number];
    await expectRefused(
      call(h, "POST", `/programs/${programId}/enrolments`, {
        key: h.keys.owner,
        body: { facilityId: first, committedKw: 401 },
      }),
      409,
      "ERR_INSUFFICIENT_POWER",
      { facilityId: first, committedKw: 401, maxPowerKw: 400 },
    );
    await expectRefused(
      call(h, "POST", `/programs/${programId}/enrolments`, {
        key: h.keys.foreignOwner,
        body: { facilityId: first, committedKw: COMMITTED_KW },
      }),
      403,
      "FACILITY_NOT_AUTHORIZED",
    );
    await expectRefused(
      call(h, "POST", `/programs/999/enrolments`, { key: h.keys.owner, body: { facilityId: first, committedKw: 1 } }),
      404,
      "ERR_PROGRAM_NOT_FOUND",
    );
  });

  it("enrols 105 facilities through the API into two cohorts (100 + 5), reserving their headroom", async () => {
    // The first 100 concurrently (cohort 0, in any slot order), then the last 5 in order (cohort 1).
    const answers: Record<string, unknown>[] = [];
    const enrol = async (id: number) => {
      const response = await call(h, "POST", `/programs/${programId}/enrolments`, {
        key: h.keys.owner,
        body: { facilityId: id, committedKw: COMMITTED_KW },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      answers.push(response.body);
    };
    const queue = facilityIds.slice(0, 100);
    await Promise.all(
      Array.from({ length: 15 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await enrol(id);
      }),
    );
    for (const id of facilityIds.slice(100)) await enrol(id);
    const positions = answers.map((answer) => `${String(answer.cohort)}:${String(answer.slot)}`);
    expect(new Set(positions).size).toBe(FACILITIES);
    expect(answers.filter((answer) => answer.cohort === 0)).toHaveLength(100);
    expect(answers.filter((answer) => answer.cohort === 1).map((answer) => answer.facilityId)).toEqual(
      facilityIds.slice(100),
    );
    await waitFor("105 program.enrolled", () => programEvents("program.enrolled").length === FACILITIES || undefined);
    expect(
      programEvents("program.enrolled").every((event) => event.fromPeriod === 0 && event.reservedKwh === 100),
    ).toBe(true);
    const page = await call(h, "GET", `/programs/${programId}/enrolments?cohort=1`);
    expect((page.body.items as unknown[]).length).toBe(5);
    expect(page.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ cohort: 1, untilPeriod: PERIOD_COUNT, withdrawn: false })]),
    );
    await expectRefused(
      call(h, "POST", `/programs/${programId}/enrolments`, {
        key: h.keys.owner,
        body: { facilityId: facilityIds[0], committedKw: COMMITTED_KW },
      }),
      409,
      "ERR_ALREADY_ENROLLED",
    );
  }, 300_000);

  it("withdraws a facility before the start: it earns in no period and its reservation is released", async () => {
    const last = facilityIds[FACILITIES - 1]!;
    const response = await call(h, "POST", `/programs/${programId}/enrolments/${last}/withdraw`, {
      key: h.keys.owner,
      body: {},
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ untilPeriod: 0 });
    const withdrawn = await waitFor("program.withdrawn", () => programEvents("program.withdrawn")[0]);
    expect(withdrawn).toMatchObject({ facilityId: last, cohort: 1, slot: 4, untilPeriod: 0, releasedKwh: 100 });
    const available = await readOnly("capacity-tracking", "get-available-kwh", [Cl.uint(last)]);
    expect(available).toBe(1_000n);
  });

  it("refuses performances for a period that has not ended, with its end height and the chain's", async () => {
    await expectRefused(
      call(h, "POST", `/programs/${programId}/periods/0/performances`, {
        key: h.keys.admin,
        body: { performances: [{ facilityId: facilityIds[0], performanceBps: 10_000 }] },
      }),
      409,
      "ERR_PERIOD_NOT_ENDED",
      { periodEndHeight: startHeight + PERIOD_BLOCKS },
    );
  });

  it("settles both cohorts of period 0 once every enrolled facility's performance is posted, with amounts by the contract's rule", async () => {
    await mineTo(startHeight + PERIOD_BLOCKS);
    const active = facilityIds.slice(0, FACILITIES - 1);
    await expectRefused(
      call(h, "POST", `/programs/${programId}/periods/0/performances`, {
        key: h.keys.admin,
        body: { performances: [{ facilityId: facilityIds[FACILITIES - 1], performanceBps: 10_000 }] },
      }),
      409,
      "ERR_NOT_ENROLLED_IN_PERIOD",
      { facilityId: facilityIds[FACILITIES - 1], fromPeriod: 0, untilPeriod: 0 },
    );
    await expectRefused(
      call(h, "POST", `/programs/${programId}/periods/0/performances`, {
        key: h.keys.admin,
        body: { performances: [{ facilityId: facilityIds[0], performanceBps: 10_000, deliveredKwh: 101 }] },
      }),
      422,
      "ERR_DELIVERY_EXCEEDS_RESERVATION",
      { deliveredKwh: 101, reservedKwh: 100 },
    );
    await expectRefused(
      call(h, "POST", `/programs/${programId}/periods/0/performances`, {
        key: h.keys.facilityOperator,
        body: { performances: [{ facilityId: facilityIds[0], performanceBps: 10_000 }] },
      }),
      403,
      "ERR_NOT_REPORTER",
    );
    const response = await call(h, "POST", `/programs/${programId}/periods/0/performances`, {
      key: h.keys.admin,
      body: { performances: active.map((facilityId, index) => ({ facilityId, ...performanceOf(index, 0) })) },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const cohorts = response.body.cohorts as {
      status: string;
      cohort: number;
      totalUstx: string;
      reportHash: string;
    }[];
    expect(cohorts.map((c) => [c.cohort, c.status])).toEqual([
      [0, "settled"],
      [1, "settled"],
    ]);
    const expected = (cohort: number) =>
      active
        .map((_, index) => index)
        .filter((index) => (cohort === 0 ? index < 100 : index >= 100))
        .reduce(
          (sum, index) => sum + amountOf(performanceOf(index, 0).performanceBps, performanceOf(index, 0).deliveredKwh),
          0n,
        );
    expect(cohorts[0]!.totalUstx).toBe(expected(0).toString());
    expect(cohorts[1]!.totalUstx).toBe(expected(1).toString());
    for (const cohort of cohorts) expect(await recordedRoot(cohort.cohort, 0)).toBe(cohort.reportHash);

    const settled = await waitFor("program.settled of period 0", () => {
      const events = programEvents("program.settled").filter((event) => event.period === 0);
      return events.length === 2 ? events : undefined;
    });
    const cohort1 = settled.find((event) => event.cohort === 1)!;
    const lines = cohort1.lines as Record<string, unknown>[];
    expect(lines).toHaveLength(5);
    // The withdrawn facility's slot is in the report, earning nothing.
    expect(lines[4]).toEqual({
      facilityId: facilityIds[FACILITIES - 1],
      committedKw: COMMITTED_KW,
      performanceBps: 0,
      deliveredKwh: 0,
      amountUstx: "0",
    });
    const p100 = performanceOf(100, 0);
    expect(lines[0]).toEqual({
      facilityId: facilityIds[100],
      committedKw: COMMITTED_KW,
      ...p100,
      amountUstx: amountOf(p100.performanceBps, p100.deliveredKwh).toString(),
    });
    expect(cohort1.reportHash).toBe(cohorts[1]!.reportHash);
  }, 120_000);

  it("serves the report, whose root is the hash the chain recorded, and a facility's line with a proof that verifies", async () => {
    const response = await call(h, "GET", `/programs/${programId}/cohorts/0/periods/0/report`);
    expect(response.status).toBe(200);
    const report = parseSettlementReport(response.body.report);
    expect(report.lines).toHaveLength(100);
    const root = await recordedRoot(0, 0);
    expect(reportRoot(report)).toBe(root);

    const facilityId = facilityIds[42]!;
    const answer = await call(h, "GET", `/programs/${programId}/periods/0/facilities/${facilityId}`);
    expect(answer.status).toBe(200);
    const json = answer.body as {
      line: Record<string, string>;
      header: Record<string, string | number>;
      proof: unknown;
    };
    const line: SettlementLine = {
      slot: BigInt(json.line.slot!),
      facilityId: BigInt(json.line.facilityId!),
      committedKw: BigInt(json.line.committedKw!),
      performanceBps: BigInt(json.line.performanceBps!),
      deliveredKwh: BigInt(json.line.deliveredKwh!),
      amountUstx: BigInt(json.line.amountUstx!),
    };
    const header: SettlementHeader = {
      contract: String(json.header.contract),
      programId: BigInt(json.header.programId!),
      cohort: BigInt(json.header.cohort!),
      period: BigInt(json.header.period!),
      product: String(json.header.product),
      capacityPriceUstx: BigInt(json.header.capacityPriceUstx!),
      energyPriceUstx: BigInt(json.header.energyPriceUstx!),
      lineCount: Number(json.header.lineCount),
    };
    const proof = parseInclusionProof(json.proof);
    const p42 = performanceOf(42, 0);
    expect(line.amountUstx).toBe(amountOf(p42.performanceBps, p42.deliveredKwh));
    expect(verifyInclusion(line, header, proof, root)).toBe(true);
    // A line claiming one micro-STX more does not verify against the chain's root.
    expect(verifyInclusion({ ...line, amountUstx: line.amountUstx + 1n }, header, proof, root)).toBe(false);
  });

  it("refuses to settle or post for a cohort-period already settled: nothing is settled twice", async () => {
    await expectRefused(
      call(h, "POST", `/programs/${programId}/periods/0/performances`, {
        key: h.keys.admin,
        body: { performances: [{ facilityId: facilityIds[0], performanceBps: 10_000 }] },
      }),
      409,
      "ERR_PERIOD_ALREADY_SETTLED",
      { cohort: 0, period: 0 },
    );
    await expectRefused(
      call(h, "POST", `/programs/${programId}/cohorts/0/periods/0/settle`, {
        key: h.keys.admin,
        body: { missingAsZero: true },
      }),
      409,
      "ERR_PERIOD_ALREADY_SETTLED",
      { cohort: 0, period: 0 },
    );
  });

  it("settles a cohort whose performances are posted by the scoring oracle, and leaves the other waiting until the deadline, then settles its missing facilities at 0", async () => {
    await mineTo(startHeight + 2 * PERIOD_BLOCKS);
    const cohort0 = facilityIds.slice(0, 100);
    const response = await call(h, "POST", `/programs/${programId}/periods/1/performances`, {
      key: h.keys.meter,
      body: { performances: cohort0.map((facilityId, index) => ({ facilityId, ...performanceOf(index, 1) })) },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect((response.body.cohorts as { status: string }[]).map((c) => c.status)).toEqual(["settled"]);
    // One facility of cohort 1 reports; three others do not.
    const partial = await call(h, "POST", `/programs/${programId}/periods/1/performances`, {
      key: h.keys.meter,
      body: { performances: [{ facilityId: facilityIds[100], performanceBps: 8_000, deliveredKwh: 3 }] },
    });
    expect(partial.body.cohorts).toEqual([
      { status: "waiting", programId, cohort: 1, period: 1, missing: facilityIds.slice(101, 104) },
    ]);
    const early = await call(h, "POST", "/admin/settlement-sweep", { key: h.keys.admin, body: {} });
    expect(early.status).toBe(200);
    expect(early.body.settled).toEqual([]);

    await mineTo(startHeight + 2 * PERIOD_BLOCKS + DEADLINE_BLOCKS);
    const late = await call(h, "POST", "/admin/settlement-sweep", { key: h.keys.admin, body: {} });
    expect(late.status).toBe(200);
    expect(late.body.settled).toEqual([expect.objectContaining({ programId, cohort: 1, period: 1, zeroed: 3 })]);
    const settled = await waitFor("program.settled of cohort 1 period 1", () =>
      programEvents("program.settled").find((event) => event.cohort === 1 && event.period === 1),
    );
    expect(settled.totalUstx).toBe(amountOf(8_000, 3).toString());
    expect((settled.lines as { performanceBps: number }[]).map((line) => line.performanceBps)).toEqual([
      8_000, 0, 0, 0, 0,
    ]);
  }, 120_000);

  it("refuses to close before the end; the sweep settles the last period, the operator closes with the exact refund, the sweep releases both cohorts", async () => {
    await expectRefused(
      call(h, "POST", `/programs/${programId}/close`, { key: h.keys.admin, body: {} }),
      409,
      "ERR_PROGRAM_NOT_CLOSABLE",
      { endHeight: startHeight + PERIOD_COUNT * PERIOD_BLOCKS },
    );
    await mineTo(startHeight + PERIOD_COUNT * PERIOD_BLOCKS + DEADLINE_BLOCKS);
    const escrow = `${h.accounts.deployer.address}.grid-services`;
    const escrowBefore = await balanceOf(h, escrow);
    const sweep = await call(h, "POST", "/admin/settlement-sweep", { key: h.keys.admin, body: {} });
    expect(
      (sweep.body.settled as { cohort: number; period: number }[]).map((s) => [s.cohort, s.period]).sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
    await waitFor("six settlements", () => programEvents("program.settled").length === 6 || undefined);
    // Each (cohort, period) once, on chain and in the read model.
    const keys = programEvents("program.settled").map((event) => `${String(event.cohort)}:${String(event.period)}`);
    expect(new Set(keys).size).toBe(6);
    const program = (await readOnly("grid-services", "get-program", [Cl.uint(programId)])) as {
      settlementCount: bigint;
      settled: bigint;
    };
    expect(program.settlementCount).toBe(6n);
    const listed = await call(h, "GET", `/programs/${programId}/settlements`);
    expect((listed.body.items as unknown[]).length).toBe(6);
    const settledTotal = programEvents("program.settled").reduce(
      (sum, event) => sum + BigInt(String(event.totalUstx)),
      0n,
    );
    expect(program.settled).toBe(settledTotal);

    // Its settle window is still open: the sweep leaves the close to the operator.
    expect(sweep.body.closed).toEqual([]);
    // Settlements move no STX; the close sends exactly budget - settled back to the operator.
    expect(await balanceOf(h, escrow)).toBe(escrowBefore);
    const operatorBefore = await balanceOf(h, h.accounts.deployer.address);
    const closedNow = await call(h, "POST", `/programs/${programId}/close`, { key: h.keys.admin, body: {} });
    expect(closedNow.status, JSON.stringify(closedNow.body)).toBe(200);
    expect(closedNow.body.refundUstx).toBe((BUDGET - settledTotal).toString());
    expect(await balanceOf(h, escrow)).toBe(escrowBefore - (BUDGET - settledTotal));
    expect(await balanceOf(h, h.accounts.deployer.address)).toBe(
      operatorBefore + BUDGET - settledTotal - (await feeOf(h, String(closedNow.body.txid))),
    );
    const closed = await waitFor("program.closed", () => programEvents("program.closed")[0]);
    expect(closed).toMatchObject({
      refundUstx: (BUDGET - settledTotal).toString(),
      settledUstx: settledTotal.toString(),
    });
    const view = await call(h, "GET", `/programs/${programId}`);
    expect(view.body).toMatchObject({ status: "closed", settledUstx: settledTotal.toString(), remainingUstx: "0" });
    await expectRefused(
      call(h, "POST", `/programs/${programId}/close`, { key: h.keys.admin, body: {} }),
      409,
      "ERR_PROGRAM_NOT_ACTIVE",
      { status: "closed" },
    );
    // The next sweep releases the closed program's reservations; cohort 1's withdrawn facility released its own.
    const release = await call(h, "POST", "/admin/settlement-sweep", { key: h.keys.admin, body: {} });
    expect(
      (release.body.released as { cohort: number; releasedKwh: number }[])
        .map((released) => [released.cohort, released.releasedKwh])
        .sort(),
    ).toEqual([
      [0, 100 * 100],
      [1, 4 * 100],
    ]);
    expect(await readOnly("capacity-tracking", "get-available-kwh", [Cl.uint(facilityIds[0]!)])).toBe(1_000n);
    await expectRefused(
      call(h, "POST", `/programs/${programId}/cohorts/0/release`, { key: h.keys.admin, body: {} }),
      409,
      "ERR_NOTHING_TO_RELEASE",
    );
    const enrolment = await call(h, "GET", `/programs/${programId}/enrolments?facility=${facilityIds[0]}`);
    const p0 = [0, 1, 2].map((period) => performanceOf(0, period));
    expect(enrolment.body.items).toEqual([
      expect.objectContaining({
        released: true,
        earnedUstx: (
          amountOf(p0[0]!.performanceBps, p0[0]!.deliveredKwh) + amountOf(p0[1]!.performanceBps, p0[1]!.deliveredKwh)
        ).toString(),
      }),
    ]);
  }, 180_000);

  it("refuses a settlement the remaining budget cannot pay, closes that program by the sweep once its window passed, and cancels another before its start with a full refund", async () => {
    const start = (await tipHeight()) + 30;
    const created = await call(h, "POST", "/programs", {
      key: h.keys.admin,
      body: {
        product: "peak-shaving",
        startHeight: start,
        periodBlocks: 5,
        periodCount: 1,
        capacityPriceUstx: "1000",
        energyPriceUstx: "0",
        budgetUstx: "1000",
        settleWindow: 100,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const small = created.body.programId as number;
    // Sent twice with one Idempotency-Key: the retry gets the first answer and signs nothing.
    const enrolOnce = async () => {
      const response = await fetch(`${h.service.baseUrl}/programs/${small}/enrolments`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${h.keys.owner}`,
          "idempotency-key": `enrol-${small}-${facilityIds[0]}`,
        },
        body: JSON.stringify({ facilityId: facilityIds[0], committedKw: 10 }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const enrolled = await enrolOnce();
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    const journal = async () =>
      (await h.db.query("SELECT count(*)::int AS n FROM chain_transactions")).rows[0].n as number;
    const journalBefore = await journal();
    expect(await enrolOnce()).toEqual(enrolled);
    expect(await journal()).toBe(journalBefore);
    await mineTo(start + 5);
    // 10 kW x 1,000 uSTX at full performance is 10,000 uSTX; the budget is 1,000. The performance is
    // recorded, the settlement refused before signing.
    const before = await footprint();
    const posted = await call(h, "POST", `/programs/${small}/periods/0/performances`, {
      key: h.keys.admin,
      body: { performances: [{ facilityId: facilityIds[0], performanceBps: 10_000 }] },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(posted.body.cohorts).toEqual([
      expect.objectContaining({
        status: "refused",
        cohort: 0,
        code: "ERR_BUDGET_EXCEEDED",
        details: expect.objectContaining({ totalUstx: "10000", remainingUstx: "1000" }),
      }),
    ]);
    expect(await footprint()).toEqual(before);
    await expectRefused(
      call(h, "POST", `/programs/${small}/cohorts/0/periods/0/settle`, { key: h.keys.admin, body: {} }),
      409,
      "ERR_BUDGET_EXCEEDED",
      { totalUstx: "10000", remainingUstx: "1000" },
    );

    // Once its settle window passed, the sweep closes it: the whole budget back, the reservation released.
    await mineTo(start + 5 + 100);
    const escrow = `${h.accounts.deployer.address}.grid-services`;
    const escrowBefore = await balanceOf(h, escrow);
    const sweep = await call(h, "POST", "/admin/settlement-sweep", { key: h.keys.admin, body: {} });
    expect(sweep.status, JSON.stringify(sweep.body)).toBe(200);
    expect(sweep.body.closed).toEqual([{ programId: small, refundUstx: "1000", txid: expect.any(String) }]);
    expect(await balanceOf(h, escrow)).toBe(escrowBefore - 1_000n);
    // peak-shaving lasts 120 minutes: 10 kW reserve 20 kWh.
    expect(sweep.body.released).toEqual([{ programId: small, cohort: 0, releasedKwh: 20, txid: expect.any(String) }]);

    const later = (await tipHeight()) + 50;
    const toCancel = await call(h, "POST", "/programs", {
      key: h.keys.admin,
      body: {
        product: "demand-response",
        startHeight: later,
        periodBlocks: 5,
        periodCount: 2,
        capacityPriceUstx: "0",
        energyPriceUstx: "7",
        budgetUstx: "5000000",
        settleWindow: 10,
      },
    });
    expect(toCancel.status).toBe(201);
    const cancelId = toCancel.body.programId as number;
    const balanceBefore = await balanceOf(h, h.accounts.deployer.address);
    const cancelled = await call(h, "POST", `/programs/${cancelId}/cancel`, { key: h.keys.admin, body: {} });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.refundUstx).toBe("5000000");
    expect(await balanceOf(h, h.accounts.deployer.address)).toBe(
      balanceBefore + 5_000_000n - (await feeOf(h, String(cancelled.body.txid))),
    );
    await waitFor("program.cancelled", () =>
      h.received.find(
        (r) => r.subject === "program.cancelled" && (r.event.payload as { programId: number }).programId === cancelId,
      ),
    );
    await expectRefused(
      call(h, "POST", `/programs/${cancelId}/cancel`, { key: h.keys.admin, body: {} }),
      409,
      "ERR_PROGRAM_NOT_ACTIVE",
      { status: "cancelled" },
    );
  }, 120_000);

  it("follows a distribution of earnings sent from a wallet: what each slot was paid, and the program's distributed total", async () => {
    const facilityId = facilityIds[0]!;
    const listed = await call(h, "GET", `/programs/${programId}/enrolments?facility=${facilityId}`);
    const enrolment = (listed.body.items as { slot: number; earnedUstx: string }[])[0]!;
    await confirmedCall(h, h.accounts.wallet_1, "revenue-sharing", "set-stakeholder-shares", [
      Cl.uint(facilityId),
      Cl.list([
        Cl.tuple({ stakeholder: Cl.principal(h.accounts.wallet_1.address), "share-bps": Cl.uint(7_000) }),
        Cl.tuple({ stakeholder: Cl.principal(h.accounts.wallet_4.address), "share-bps": Cl.uint(3_000) }),
      ]),
    ]);
    const paid = BigInt(enrolment.earnedUstx) - 1n;
    const amounts = Array.from({ length: 100 }, (_, slot) => Cl.uint(slot === enrolment.slot ? paid : 0n));
    await confirmedCall(
      h,
      h.accounts.deployer,
      "grid-services",
      "distribute-earnings",
      [Cl.uint(programId), Cl.uint(0), Cl.list(amounts)],
      { postConditions: [Pc.principal(`${h.accounts.deployer.address}.grid-services`).willSendEq(paid).ustx()] },
    );
    const event = await waitFor("program.earnings.distributed", () => programEvents("program.earnings.distributed")[0]);
    expect(event).toMatchObject({ cohort: 0, totalUstx: paid.toString() });
    expect((event.amountsUstx as string[])[enrolment.slot]).toBe(paid.toString());
    await waitFor("the slot's payment in the read model", async () => {
      const after = await call(h, "GET", `/programs/${programId}/enrolments?facility=${facilityId}`);
      return (after.body.items as { paidUstx: string }[])[0]!.paidUstx === paid.toString() || undefined;
    });
    const program = await call(h, "GET", `/programs/${programId}`);
    expect(program.body.distributedUstx).toBe(paid.toString());
  });

  it("rebuilds the same programs, enrolments, settlements and reports from height 0 without publishing anything again", async () => {
    const snapshot = async () => ({
      programs: (await call(h, "GET", "/programs")).body,
      first: (await call(h, "GET", `/programs/${programId}/enrolments?limit=100`)).body,
      rest: (await call(h, "GET", `/programs/${programId}/enrolments?after=99`)).body,
      settlements: (await call(h, "GET", `/programs/${programId}/settlements`)).body,
      report: (await call(h, "GET", `/programs/${programId}/cohorts/1/periods/1/report`)).body,
    });
    const before = await snapshot();
    expect((before.rest as { items: unknown[] }).items).toHaveLength(5);
    const received = h.received.length;
    const outbox = async () => (await h.db.query("SELECT count(*)::int AS n FROM outbox")).rows[0].n as number;
    const outboxBefore = await outbox();
    await h.db.query("UPDATE programs SET status = 'active', settled_ustx = 0");
    await h.db.query("DELETE FROM program_settlements");
    await h.db.query("DELETE FROM program_settlement_lines");
    await h.db.query("UPDATE program_enrolments SET released = false, until_period = NULL");
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    expect(await outbox()).toBe(outboxBefore);
    await h.nats.flush();
    expect(h.received.length).toBe(received);
  }, 120_000);
});
