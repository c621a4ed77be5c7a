import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Cl } from "@stacks/transactions";
import { SERVICE_NAMES } from "@voltstack/client";
import { DEAD_LETTER_PREFIX, type EventJson } from "@voltstack/events";
import { createPgPool } from "@voltstack/persistence";
import type { ChaosSystem } from "./chaos-system.js";
import type { Fulfilment } from "./fulfilment-run.js";

/** What the chain and the services held before a run; the run is judged by the difference. */
export interface Baseline {
  lastRequestId: number;
  totalDistributedUstx: bigint;
  stakeholderBalances: bigint[];
  deadLetters: number;
  /** Messages on the dead-letter stream. */
  deadLettered: number;
}

export async function takeBaseline(chaos: ChaosSystem): Promise<Baseline> {
  const { chain, facilityId, stakeholders } = chaos;
  return {
    lastRequestId: Number(await chain.uint("grid-services", "get-last-request-id")),
    totalDistributedUstx: await chain.uint("revenue-sharing", "get-total-distributed", facilityId),
    stakeholderBalances: await Promise.all(stakeholders.map((principal) => chain.balance(principal))),
    deadLetters: await countDeadLetters(chaos),
    deadLettered: (await streamedEvents(chaos)).filter(isDeadLetter).length,
  };
}

/**
 * A fulfilment's payout has left the pool: by its own distribution, or `covered` by an
 * earlier one that paid the whole pool while this fulfilment's event was still on its way
 * (after a revenue restart, one distribution pays the backlog's payouts at once).
 */
function isPaid(status: string | undefined): boolean {
  return status === "distributed" || status === "covered";
}

async function countDeadLetters(chaos: ChaosSystem): Promise<number> {
  const admin = chaos.system.client("admin");
  const counts = await Promise.all(SERVICE_NAMES.map(async (name) => (await admin.deadLetters(name)).items.length));
  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * Whether everything the run set in motion has come to rest: every service ready, every
 * fulfilment's distribution settled, the facility's pool empty on chain, nothing left in an
 * outbox and nothing pending or unacknowledged on any consumer.
 */
export async function backlogDrained(chaos: ChaosSystem, fulfilments: readonly Fulfilment[]): Promise<boolean> {
  if (!(await chaos.allReady())) return false;
  const admin = chaos.system.client("admin");
  for (const { requestId } of fulfilments) {
    const intent = await admin.revenue.fulfilmentDistribution(requestId).catch(() => undefined);
    if (!isPaid(intent?.status)) return false;
  }
  if ((await chaos.chain.uint("revenue-sharing", "get-pool-balance", chaos.facilityId)) !== 0n) return false;
  if ((await unsentOutboxRows(chaos)) > 0) return false;
  return (await consumersBehind(chaos)) === 0;
}

async function unsentOutboxRows(chaos: ChaosSystem): Promise<number> {
  const pool = createPgPool({ url: chaos.postgres.url, applicationName: "chaos-outbox", pool: { max: 1 } });
  try {
    let unsent = 0;
    for (const schema of Object.values(chaos.system.stack.schemas)) {
      const { rows } = await pool.query<{ count: string }>(
        `SELECT count(*) FROM "${schema}"."outbox" WHERE "sent_at" IS NULL`,
      );
      unsent += Number(rows[0]!.count);
    }
    return unsent;
  } finally {
    await pool.end();
  }
}

async function consumersBehind(chaos: ChaosSystem): Promise<number> {
  const nats = await connect({ servers: chaos.nats.url, name: "chaos-consumers" });
  try {
    const jsm = await jetstreamManager(nats);
    let behind = 0;
    for await (const stream of jsm.streams.list()) {
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        behind += consumer.num_pending + consumer.num_ack_pending;
      }
    }
    return behind;
  } finally {
    await nats.close();
  }
}

function isDeadLetter(streamed: { subject: string }): boolean {
  return streamed.subject.startsWith(DEAD_LETTER_PREFIX);
}

/** Every event on the private server's streams, in stream order. */
async function streamedEvents(chaos: ChaosSystem): Promise<{ subject: string; event: EventJson }[]> {
  const prefix = chaos.system.stack.subjectPrefix;
  const nats = await connect({ servers: chaos.nats.url, name: "chaos-streams" });
  try {
    const jsm = await jetstreamManager(nats);
    const events: { subject: string; event: EventJson }[] = [];
    for await (const stream of jsm.streams.list()) {
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq && stream.state.messages > 0; seq += 1) {
        const message = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => null);
        if (!message) continue;
        const subject = message.subject.slice(prefix.length);
        try {
          events.push({ subject, event: message.json<EventJson>() });
        } catch {
          // Not JSON (only a dead letter of a malformed message can be): counted, never matched.
          events.push({ subject, event: {} as EventJson });
        }
      }
    }
    return events;
  } finally {
    await nats.close();
  }
}

/**
 * What must hold after a run, as sentences naming the figures when it does not: each
 * fulfilment paid exactly once (on chain and in revenue's read model), the read models
 * equal to the chain, each fact published exactly once, no dead letter.
 */
export async function invariantViolations(
  chaos: ChaosSystem,
  baseline: Baseline,
  fulfilments: readonly Fulfilment[],
  duplicateRequests: readonly number[],
): Promise<string[]> {
  const { chain, facilityId, stakeholders } = chaos;
  const admin = chaos.system.client("admin");
  const violations: string[] = [];
  const payouts = fulfilments.reduce((sum, fulfilment) => sum + fulfilment.payoutUstx, 0n);

  // Paid exactly once, to the micro-STX.
  const distributed =
    (await chain.uint("revenue-sharing", "get-total-distributed", facilityId)) - baseline.totalDistributedUstx;
  if (distributed !== payouts) {
    violations.push(`the chain distributed ${distributed} µSTX for payouts of ${payouts} µSTX`);
  }
  const balances = await Promise.all(stakeholders.map((principal) => chain.balance(principal)));
  const received = balances.reduce((sum, balance, index) => sum + balance - baseline.stakeholderBalances[index]!, 0n);
  if (received !== payouts)
    violations.push(`the stakeholders received ${received} µSTX for payouts of ${payouts} µSTX`);
  const distributions = new Set<number>();
  for (const { requestId } of fulfilments) {
    const intent = await admin.revenue.fulfilmentDistribution(requestId).catch(() => undefined);
    if (!intent || !isPaid(intent.status)) {
      violations.push(`request ${requestId}: revenue's distribution is ${intent?.status ?? "missing"}`);
    } else if (intent.distributionId !== null) distributions.add(intent.distributionId);
  }
  const payments = (await admin.revenue.facilityPayments(facilityId)).items.filter((payment) =>
    distributions.has(payment.distributionId),
  );
  for (const [index, principal] of stakeholders.entries()) {
    const paid = payments
      .filter((payment) => payment.stakeholder === principal)
      .reduce((sum, payment) => sum + BigInt(payment.amountUstx), 0n);
    const gained = balances[index]! - baseline.stakeholderBalances[index]!;
    if (paid !== gained)
      violations.push(`stakeholder ${principal}: revenue recorded ${paid} µSTX, the chain paid ${gained}`);
  }
  for (const id of duplicateRequests) violations.push(`request ${id} was created twice by a retried POST`);

  // Read models equal to the chain.
  for (const { requestId } of fulfilments) {
    const [onChain, readModel] = await Promise.all([chain.request(requestId), admin.grid.getRequest(requestId)]);
    const expected = {
      status: onChain?.status,
      facilityId: onChain?.["facility-id"] === null ? null : Number(onChain?.["facility-id"]),
      payoutUstx: onChain?.payout.toString(),
      refundUstx: onChain?.refund.toString(),
    };
    const actual = {
      status: readModel.status,
      facilityId: readModel.facilityId,
      payoutUstx: readModel.payoutUstx,
      refundUstx: readModel.refundUstx,
    };
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      violations.push(
        `grid's request ${requestId} is ${JSON.stringify(actual)}, the chain ${JSON.stringify(expected)}`,
      );
    }
  }
  const capacity = (await chain.call("capacity-tracking", "get-capacity", [Cl.uint(facilityId)])) as Record<
    string,
    bigint
  >;
  const capacityModel = await admin.capacity.get(facilityId);
  if (
    capacityModel.storedKwh !== Number(capacity["stored-kwh"]) ||
    capacityModel.reservedKwh !== Number(capacity["reserved-kwh"])
  ) {
    violations.push(
      `capacity holds ${capacityModel.storedKwh} kWh stored / ${capacityModel.reservedKwh} reserved, the chain ${capacity["stored-kwh"]} / ${capacity["reserved-kwh"]}`,
    );
  }
  const pool = await admin.revenue.pool(facilityId);
  const poolOnChain = await chain.uint("revenue-sharing", "get-pool-balance", facilityId);
  const totalOnChain = await chain.uint("revenue-sharing", "get-total-distributed", facilityId);
  if (pool.balanceUstx !== String(poolOnChain) || pool.distributedUstx !== String(totalOnChain)) {
    violations.push(
      `revenue's pool holds ${pool.balanceUstx} µSTX (${pool.distributedUstx} distributed), the chain ${poolOnChain} (${totalOnChain})`,
    );
  }
  const facility = (await chain.call("facility-registry", "get-facility", [Cl.uint(facilityId)])) as { status: string };
  const facilityModel = await admin.facilities.get(facilityId);
  if (facilityModel.status !== facility.status) {
    violations.push(`verification holds facility ${facilityId} ${facilityModel.status}, the chain ${facility.status}`);
  }
  const demand = (await chain.call("charge-discharge", "get-grid-demand")) as { level: bigint };
  const demandModel = await admin.flow.demand();
  if (BigInt(demandModel.demandLevelPercent) !== demand.level) {
    violations.push(`flow holds demand ${demandModel.demandLevelPercent} %, the chain ${demand.level} %`);
  }

  // Each fact published exactly once; no dead letter.
  const events = await streamedEvents(chaos);
  const seen = new Map<string, number>();
  // A dead letter carries the id of the event it failed on: only the event streams count.
  for (const { event } of events.filter((streamed) => !isDeadLetter(streamed))) {
    seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
  }
  for (const [eventId, count] of seen)
    if (count > 1) violations.push(`event ${eventId} is ${count} times on the streams`);
  for (const { requestId } of fulfilments) {
    for (const subject of ["service.requested", "service.accepted", "service.fulfilled"]) {
      const published = events.filter((tailed) => tailed.subject === subject && tailed.event.requestId === requestId);
      if (published.length !== 1)
        violations.push(`${subject} of request ${requestId} is ${published.length} times on the streams`);
    }
  }
  for (const distributionId of distributions) {
    const published = events.filter(
      (tailed) =>
        tailed.subject === "revenue.distributed" &&
        (tailed.event.payload as { distributionId?: number }).distributionId === distributionId,
    );
    if (published.length !== 1) {
      violations.push(
        `revenue.distributed of distribution ${distributionId} is ${published.length} times on the streams`,
      );
    }
  }
  const deadLettered = events.filter(isDeadLetter).length - baseline.deadLettered;
  const deadLetters = (await countDeadLetters(chaos)) - baseline.deadLetters;
  if (deadLetters > 0 || deadLettered > 0) {
    violations.push(`${deadLetters} new dead letters in the services, ${deadLettered} on the dead-letter stream`);
  }
  return violations;
}
