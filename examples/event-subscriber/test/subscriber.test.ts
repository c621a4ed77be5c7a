import { randomBytes, randomUUID } from "node:crypto";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createEvent, type DomainEvent, eventStreams, type EventJson } from "@voltstack/events";
import { ensureStreams, SubjectNaming } from "@voltstack/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEvent } from "../src/describe-event.js";
import { type DeliveryOutcome, startEventSubscriber } from "../src/event-subscriber.js";

// Against the real NATS server, with the streams declared as the services declare them,
// under a subject prefix of this run's own so parallel runs never share a stream.

const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const ADMIN = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const INVESTOR = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

let nats: NatsConnection;
let jsm: JetStreamManager;
const streams = [eventStreams.GRID_SERVICES, eventStreams.REVENUE];
const created: string[] = [];

beforeAll(async () => {
  nats = await connect({ servers: natsUrl });
  jsm = await jetstreamManager(nats);
});

afterAll(async () => {
  for (const stream of created) await jsm.streams.delete(stream).catch(() => undefined);
  await nats?.close();
});

/** The services' streams under a prefix of this test's own. */
async function freshStreams(): Promise<SubjectNaming> {
  const naming = new SubjectNaming(`subscriber_${randomBytes(4).toString("hex")}.`);
  await ensureStreams(jsm, naming, streams);
  created.push(...streams.map((stream) => naming.streamName(stream.name)));
  return naming;
}

function chain() {
  return { txId: `0x${randomBytes(32).toString("hex")}`, blockHeight: 120 };
}

const traceContext = { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` };

function fulfilment(requestId: number): EventJson<"service.fulfilled"> {
  return createEvent(
    "service.fulfilled",
    {
      requestId,
      facilityId: 1,
      performanceBps: 9_500,
      paymentUstx: 25_000_000n,
      payoutUstx: 23_750_000n,
      refundUstx: 1_250_000n,
      requester: ADMIN,
    },
    { chain: chain(), traceContext },
  );
}

function distribution(): EventJson<"revenue.distributed"> {
  return createEvent(
    "revenue.distributed",
    {
      distributionId: 2,
      facilityId: 1,
      amountUstx: 23_750_001n,
      source: "pool",
      sharesVersion: 1,
      firstPaymentId: 4,
      paymentCount: 2,
      distributedBy: ADMIN,
      payments: [
        { paymentId: 4, stakeholder: OWNER, shareBps: 6_000, amountUstx: 14_250_001n },
        { paymentId: 5, stakeholder: INVESTOR, shareBps: 4_000, amountUstx: 9_500_000n },
      ],
    },
    { chain: chain(), traceContext },
  );
}

/** Publishes as the outbox relay does: JSON body, the message id deduplicated within the stream's window. */
async function publish(
  naming: SubjectNaming,
  subject: string,
  body: unknown,
  msgID: string = randomUUID(),
): Promise<void> {
  await jetstream(nats).publish(naming.wire(subject), JSON.stringify(body), { msgID });
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("example event subscriber", () => {
  it("handles each valid event once, even published again, and refuses an invalid one", async () => {
    const naming = await freshStreams();
    const handled: DomainEvent[] = [];
    const outcomes: DeliveryOutcome[] = [];
    const subscriber = await startEventSubscriber({
      nats,
      name: "catalog-check",
      subjects: ["revenue.distributed", "service.fulfilled"],
      subjectPrefix: naming.prefix,
      handle: (event) => {
        handled.push(event);
      },
      report: (outcome) => outcomes.push(outcome),
    });
    try {
      const fulfilled = fulfilment(4);
      const distributed = distribution();
      // The payout does not match payment x performance: the catalog refuses it.
      const invalid = { ...fulfilment(5), payload: { ...fulfilment(5).payload, payoutUstx: "1" } };
      await publish(naming, "service.fulfilled", fulfilled, fulfilled.eventId);
      await publish(naming, "service.fulfilled", invalid);
      await publish(naming, "revenue.distributed", distributed, distributed.eventId);
      // The same fact under another message id, as a dead-letter replay or a re-sync publishes it.
      await publish(naming, "service.fulfilled", fulfilled);

      await until("four deliveries", () => outcomes.length >= 4);
      expect(handled.map((event) => event.eventId).sort()).toEqual([fulfilled.eventId, distributed.eventId].sort());
      expect(outcomes.filter((o) => o.kind === "duplicate")).toEqual([
        expect.objectContaining({ subject: "service.fulfilled", eventId: fulfilled.eventId }),
      ]);
      const refused = outcomes.filter((o) => o.kind === "refused");
      expect(refused).toEqual([expect.objectContaining({ subject: "service.fulfilled", code: "EVENT_INVALID" })]);
      expect(refused[0]!.kind === "refused" && refused[0]!.reason).toContain("payoutUstx");

      const received = handled.find((event) => event.type === "service.fulfilled");
      expect(received?.type === "service.fulfilled" && received.payload.payoutUstx).toBe(23_750_000n);
      const paid = handled.find((event) => event.type === "revenue.distributed");
      expect(describeEvent(paid!)).toContain("distribution 2 paid 23.750001 STX to 2 stakeholders");

      // Everything was acknowledged or terminated: nothing is left for a later delivery.
      for (const { stream, durable } of subscriber.consumers) {
        await until(`${durable} to have nothing pending`, async () => {
          const info = await jsm.consumers.info(stream, durable);
          return info.num_pending + info.num_ack_pending === 0;
        });
      }
    } finally {
      await subscriber.stop();
    }
  });

  it("skips events of another deployment sharing the server, and handles its own and those naming none", async () => {
    const naming = await freshStreams();
    const handled: string[] = [];
    const outcomes: DeliveryOutcome[] = [];
    const subscriber = await startEventSubscriber({
      nats,
      name: "one-deployment",
      subjects: ["service.fulfilled"],
      subjectPrefix: naming.prefix,
      deployment: { network: "devnet", deployer: ADMIN },
      handle: (event) => void handled.push(event.eventId),
      report: (outcome) => outcomes.push(outcome),
    });
    try {
      const own = { ...fulfilment(6), deployment: { network: "devnet", deployer: ADMIN } };
      const testnet = { ...fulfilment(7), deployment: { network: "testnet", deployer: ADMIN } };
      const otherContracts = { ...fulfilment(8), deployment: { network: "devnet", deployer: OWNER } };
      const unnamed = fulfilment(9);
      for (const event of [own, testnet, otherContracts, unnamed]) await publish(naming, "service.fulfilled", event);
      await until("four deliveries", () => outcomes.length >= 4);
      expect(handled.sort()).toEqual([own.eventId, unnamed.eventId].sort());
      expect(
        outcomes.filter((o) => o.kind === "other-deployment").map((o) => o.kind === "other-deployment" && o.eventId),
      ).toEqual([testnet.eventId, otherContracts.eventId]);
    } finally {
      await subscriber.stop();
    }
  });

  it("handles an event once when JetStream delivers it again after the ack wait", async () => {
    const naming = await freshStreams();
    const handled: string[] = [];
    const outcomes: DeliveryOutcome[] = [];
    const subscriber = await startEventSubscriber({
      nats,
      name: "slow-handler",
      subjects: ["service.fulfilled"],
      subjectPrefix: naming.prefix,
      ackWaitMs: 1_000,
      // Slower than the ack wait the first time, so the server delivers the event again meanwhile.
      handle: async (event) => {
        if (handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 1_800));
        handled.push(event.eventId);
      },
      report: (outcome) => outcomes.push(outcome),
    });
    try {
      const fulfilled = fulfilment(6);
      await publish(naming, "service.fulfilled", fulfilled, fulfilled.eventId);
      await until("the redelivery", () => outcomes.some((o) => o.kind === "duplicate"));
      expect(handled).toEqual([fulfilled.eventId]);
      expect(outcomes.find((o) => o.kind === "duplicate")).toMatchObject({
        eventId: fulfilled.eventId,
        deliveryCount: 2,
      });
    } finally {
      await subscriber.stop();
    }
  });
});
