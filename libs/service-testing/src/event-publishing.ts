import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import type { EventJson } from "@voltstack/events";
import { EVENT_ID_HEADER } from "@voltstack/messaging";

/** Anything holding a test's NATS connection and subject prefix, such as a service's test harness. */
export interface HasStreams {
  nats: NatsConnection;
  subjectPrefix: string;
}

/**
 * Publishes an event on its subject as its producer's outbox relay does: the event id is
 * the msgID, so JetStream drops a second publication within its duplicate window.
 * Resolves with the message's stream sequence.
 */
export async function publishAsRelay(harness: HasStreams, event: EventJson): Promise<number> {
  const ack = await jetstream(harness.nats).publish(`${harness.subjectPrefix}${event.type}`, JSON.stringify(event), {
    msgID: event.eventId,
  });
  return ack.seq;
}

/**
 * Publishes an event once more as a dead-letter replay does: under a message id of its own
 * (the replay's new outbox row), the event id in the Event-Id header.
 * JetStream keeps it beside the first copy, so consumers receive the event again.
 * Resolves with the message's stream sequence.
 */
export async function publishAsReplay(harness: HasStreams, event: EventJson): Promise<number> {
  const headers = natsHeaders();
  headers.set(EVENT_ID_HEADER, event.eventId);
  const ack = await jetstream(harness.nats).publish(`${harness.subjectPrefix}${event.type}`, JSON.stringify(event), {
    msgID: randomUUID(),
    headers,
  });
  return ack.seq;
}
