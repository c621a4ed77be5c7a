import { randomBytes } from "node:crypto";
import {
  ApiRequestError,
  type FulfilmentDistribution,
  type ServiceName,
  type Share,
  VoltstackClient,
} from "@voltstack/client";
import { expectedSplit } from "./revenue-split.js";
import { formatStx } from "../amounts.js";
import { table } from "../output.js";
import { stxBalance, stxBalances, tipHeight } from "./stx-balances.js";

/** The local callers the demo acts as, by role. */
export interface DemoCallers {
  admin: { apiKey: string; principal: string };
  ownerA: { apiKey: string; principal: string };
  ownerB: { apiKey: string; principal: string };
}

export interface DemoOptions {
  urls: Record<ServiceName, string>;
  devnetUrl: string;
  callers: DemoCallers;
  /** Three principals that receive facility A's revenue. */
  stakeholders: readonly [string, string, string];
  log?: (line: string) => void;
  progress?: <T>(label: string, work: () => Promise<T>) => Promise<T>;
  /** How long to wait for the revenue service's distribution. */
  distributionTimeoutMs?: number;
}

export interface DemoStep {
  step: string;
  service: ServiceName;
  txid: string;
  blockHeight: number;
}

export interface StakeholderBalance {
  stakeholder: string;
  /** Who the stakeholder is in the demo's story, and why it gets a share. */
  name: string;
  role: string;
  shareBps: number;
  beforeUstx: string;
  afterUstx: string;
  receivedUstx: string;
  expectedUstx: string;
}

/** Someone the demo involves: a caller, a signing key of the grid service, or a stakeholder. */
export interface DemoParty {
  name: string;
  role: string;
  principal: string;
}

/** The request's payment as the grid-services contract held it: its STX balance at each step. */
export interface DemoEscrow {
  contract: string;
  beforeUstx: string;
  /** After the request was created: its payment locked. */
  lockedUstx: string;
  /** After fulfilment: the payout sent to the facility's pool and the rest refunded. */
  releasedUstx: string;
}

export interface DemoReport {
  traceId: string;
  /** Who is who: every principal the demo shows, with a name and a role. */
  parties: DemoParty[];
  facilityIds: [number, number];
  requestId: number;
  paymentUstx: string;
  payoutUstx: string;
  /** What went back to the requester on fulfilment: payment - payout (the 5 % not earned). */
  refundUstx: string;
  /** The grid service's admin key that signed the request and paid its escrow. */
  requester: string;
  escrow: DemoEscrow;
  distribution: FulfilmentDistribution;
  balances: StakeholderBalance[];
  /** True when the stakeholders received exactly the payout, each exactly the contract's split. */
  conserved: boolean;
  steps: DemoStep[];
}

// Odd amounts on purpose: the split has a rounding remainder to account for.
export const DEMO_PAYMENT_USTX = 1_000_000_007n;
const PERFORMANCE_BPS = 9_500;
/** The three stakeholders of facility A, in the order of the principals given, with their shares. */
export const DEMO_STAKEHOLDERS = [
  { name: "Northwind Capital", role: "investor: financed the battery", shareBps: 5_000 },
  { name: "Hollis Farm", role: "landowner: hosts the site", shareBps: 3_000 },
  { name: "Riverside community fund", role: "community benefit fund", shareBps: 2_000 },
] as const;

/**
 * The whole flow through the five services' HTTP APIs, as an owner and an operator would
 * drive it: two facilities registered and approved, capacity initialised, revenue
 * shares, grid demand raised, a frequency-regulation request paid into escrow, accepted,
 * fulfilled with a performance score, and the payout distributed by the revenue service
 * on its own (on `service.fulfilled`). Every request carries one trace id.
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const log = options.log ?? (() => undefined);
  const progress = options.progress ?? (<T>(_label: string, work: () => Promise<T>) => work());
  const traceId = randomBytes(16).toString("hex");
  const traceparent = `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
  const client = (apiKey: string) => new VoltstackClient({ urls: options.urls, apiKey, traceparent });
  const admin = client(options.callers.admin.apiKey);
  const ownerA = client(options.callers.ownerA.apiKey);
  const ownerB = client(options.callers.ownerB.apiKey);
  const steps: DemoStep[] = [];
  const record = <T extends { txid: string; blockHeight: number }>(step: string, service: ServiceName, result: T) => {
    steps.push({ step, service, txid: result.txid, blockHeight: result.blockHeight });
    log(`  ✓ ${step.padEnd(44)} tx ${result.txid} (block ${result.blockHeight})`);
    return result;
  };
  const shares: Share[] = options.stakeholders.map((stakeholder, index) => ({
    stakeholder,
    shareBps: DEMO_STAKEHOLDERS[index]!.shareBps,
  }));
  const parties: DemoParty[] = [
    {
      name: "admin",
      role: "the grid operator's admin: vets facilities, sets demand, posts and fulfils requests",
      principal: options.callers.admin.principal,
    },
    { name: "owner A", role: "owns facility A (Riverside battery)", principal: options.callers.ownerA.principal },
    { name: "owner B", role: "owns facility B (Hillside battery)", principal: options.callers.ownerB.principal },
    ...DEMO_STAKEHOLDERS.map(({ name, role, shareBps }, index) => ({
      name,
      role: `${role}; ${shareBps / 100} % of facility A's revenue`,
      principal: options.stakeholders[index]!,
    })),
  ];

  log(`trace id ${traceId} (every request below carries it)`);
  log("");
  log(partiesTable(parties));
  log("");
  const before = await stxBalances(options.devnetUrl, options.stakeholders);

  const facilityA = record(
    "register facility A (owner A)",
    "verification",
    await progress("registering facility A", () =>
      ownerA.facilities.register({
        owner: options.callers.ownerA.principal,
        name: "Riverside battery",
        location: "Substation 14, north feeder",
        capacityKwh: 5_000,
        maxPowerKw: 1_000,
      }),
    ),
  ).facilityId;
  const facilityB = record(
    "register facility B (owner B)",
    "verification",
    await progress("registering facility B", () =>
      ownerB.facilities.register({
        owner: options.callers.ownerB.principal,
        name: "Hillside battery",
        location: "Substation 3, east feeder",
        capacityKwh: 2_000,
        maxPowerKw: 500,
      }),
    ),
  ).facilityId;
  record(`approve facility ${facilityA} (admin)`, "verification", await admin.facilities.approve(facilityA));
  record(`approve facility ${facilityB} (admin)`, "verification", await admin.facilities.approve(facilityB));

  // The capacity service learns of the approval from facility.approved; until then it answers FACILITY_NOT_FOUND.
  const initialise = (owner: VoltstackClient, facilityId: number, storedKwh: number) =>
    progress(`initialising capacity of facility ${facilityId}`, () =>
      retryWhile(
        () => owner.capacity.initialize(facilityId, { storedKwh }),
        (error) => error.code === "FACILITY_NOT_FOUND",
      ),
    );
  record(`initialise capacity of ${facilityA}: 3,000 kWh`, "capacity", await initialise(ownerA, facilityA, 3_000));
  record(`initialise capacity of ${facilityB}: 1,200 kWh`, "capacity", await initialise(ownerB, facilityB, 1_200));

  record(`set shares of ${facilityA}: 50/30/20 %`, "revenue", await ownerA.revenue.setShares(facilityA, shares));
  record("raise grid demand to 85 % (admin)", "flow", await admin.flow.setDemand({ demandLevelPercent: 85 }));

  // The five contracts share their deployer: grid-services sits next to the registry that registered facility A.
  const escrowContract = `${await contractDeployer(admin, "verification", steps[0]!.txid)}.grid-services`;
  const escrowBefore = await stxBalance(options.devnetUrl, escrowContract);
  const expiresAt = (await tipHeight(options.devnetUrl)) + 1_000;
  const created = record(
    `frequency regulation request, ${formatStx(DEMO_PAYMENT_USTX)}`,
    "grid",
    await admin.grid.createRequest({
      serviceType: "frequency-regulation",
      powerKw: 800,
      energyKwh: 1_500,
      paymentUstx: DEMO_PAYMENT_USTX.toString(),
      expiresAt,
    }),
  );
  const requestId = created.requestId;
  const escrowLocked = await stxBalance(options.devnetUrl, escrowContract);
  const { requester } = await admin.grid.getRequest(requestId);
  parties.push({
    name: "grid signing key",
    role: "the admin key of the grid service that posted the request",
    principal: requester,
  });
  log(
    `    escrow: ${formatStx(DEMO_PAYMENT_USTX)} paid by ${requester} (grid signing key) into ${escrowContract}, ` +
      `which now holds ${formatStx(escrowLocked)} (was ${formatStx(escrowBefore)}); it expires at block ${expiresAt}`,
  );
  record(
    `accept request ${requestId} with facility ${facilityA}`,
    "grid",
    await ownerA.grid.accept(requestId, { facilityId: facilityA }),
  );
  const fulfilled = record(
    `fulfil request ${requestId} at ${PERFORMANCE_BPS / 100} % performance`,
    "grid",
    await admin.grid.fulfil(requestId, { performanceBps: PERFORMANCE_BPS }),
  );
  const payoutUstx = BigInt(fulfilled.payoutUstx);
  const refundUstx = BigInt((await admin.grid.getRequest(requestId)).refundUstx);
  const escrowReleased = await stxBalance(options.devnetUrl, escrowContract);
  log(
    `    payout: ${formatStx(payoutUstx)} (${PERFORMANCE_BPS / 100} % of the payment) from the escrow into facility ${facilityA}'s revenue pool`,
  );
  log(
    `    refund: ${formatStx(refundUstx)} (the ${100 - PERFORMANCE_BPS / 100} % not earned) from the escrow back to the requester ${requester}; ` +
      `the escrow holds ${formatStx(escrowReleased)} again`,
  );

  const distribution = await progress("waiting for the revenue service to distribute the payout", () =>
    waitForDistribution(admin, requestId, options.distributionTimeoutMs ?? 120_000),
  );
  log(`  ✓ ${"revenue distributed (revenue service, on its own)".padEnd(44)} tx ${distribution.distributionTxid}`);

  const after = await stxBalances(options.devnetUrl, options.stakeholders);
  const expected = expectedSplit(payoutUstx, shares);
  const balances = shares.map(({ stakeholder, shareBps }, index) => ({
    stakeholder,
    name: DEMO_STAKEHOLDERS[index]!.name,
    role: DEMO_STAKEHOLDERS[index]!.role,
    shareBps,
    beforeUstx: before.get(stakeholder)!.toString(),
    afterUstx: after.get(stakeholder)!.toString(),
    receivedUstx: (after.get(stakeholder)! - before.get(stakeholder)!).toString(),
    expectedUstx: expected.get(stakeholder)!.toString(),
  }));
  const received = balances.reduce((sum, balance) => sum + BigInt(balance.receivedUstx), 0n);
  const conserved =
    received === payoutUstx && balances.every((balance) => balance.receivedUstx === balance.expectedUstx);

  return {
    traceId,
    parties,
    facilityIds: [facilityA, facilityB],
    requestId,
    paymentUstx: DEMO_PAYMENT_USTX.toString(),
    payoutUstx: payoutUstx.toString(),
    refundUstx: refundUstx.toString(),
    requester,
    escrow: {
      contract: escrowContract,
      beforeUstx: escrowBefore.toString(),
      lockedUstx: escrowLocked.toString(),
      releasedUstx: escrowReleased.toString(),
    },
    distribution,
    balances,
    conserved,
    steps,
  };
}

/** Who is who, one line each: name, address, role. */
export function partiesTable(parties: readonly DemoParty[]): string {
  return table(
    ["who", "address", "role"],
    parties.map((party) => [party.name, party.principal, party.role]),
  );
}

/** The deployer of the contract a service's transaction called, from the service's journal. */
async function contractDeployer(client: VoltstackClient, service: ServiceName, txid: string): Promise<string> {
  const { items } = await client.transactions(service, { limit: 50 });
  const entry = items.find((candidate) => candidate.txid === txid);
  if (!entry) throw new Error(`The ${service} service's journal has no transaction ${txid}.`);
  return entry.contract.split(".")[0]!;
}

const SETTLED = new Set(["distributed", "covered", "nothing_to_pay"]);

async function waitForDistribution(
  client: VoltstackClient,
  requestId: number,
  timeoutMs: number,
): Promise<FulfilmentDistribution> {
  const deadline = Date.now() + timeoutMs;
  let last: FulfilmentDistribution | undefined;
  while (Date.now() < deadline) {
    try {
      last = await client.revenue.fulfilmentDistribution(requestId);
      if (SETTLED.has(last.status)) return last;
    } catch (error) {
      if (!(error instanceof ApiRequestError) || error.status !== 404) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `The revenue service did not distribute request ${requestId} within ${timeoutMs / 1000} s` +
      (last ? ` (its status: ${last.status}${last.errorCode ? `, ${last.errorCode}` : ""})` : "") +
      "; see GET /dead-letters and GET /transactions on the revenue service.",
  );
}

/** Retries while another service has not yet heard of what this request depends on. */
async function retryWhile<T>(
  work: () => Promise<T>,
  transient: (error: ApiRequestError) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ApiRequestError) || !transient(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
