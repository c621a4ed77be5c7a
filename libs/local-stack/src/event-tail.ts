import { connect, type NatsConnection } from "@nats-io/transport-node";
import { DEAD_LETTER_PREFIX, type EventJson, eventTypes } from "@voltstack/events";

/** An event seen on the bus, with the subject it came on (without the prefix). */
export interface TailedEvent {
  subject: string;
  event: EventJson;
}

export interface EventTail {
  readonly events: readonly TailedEvent[];
  close(): Promise<void>;
}

/**
 * Watches every subject of the event catalog and the dead letters under `subjectPrefix`
 * with plain subscriptions: it sees what is published from now on and consumes nothing,
 * so it never takes a message from a service's durable consumer.
 */
export async function tailEvents(
  natsUrl: string,
  subjectPrefix: string,
  onEvent: (tailed: TailedEvent) => void = () => undefined,
): Promise<EventTail> {
  const nats: NatsConnection = await connect({ servers: natsUrl, name: "voltstack-event-tail" });
  const events: TailedEvent[] = [];
  for (const subject of [...eventTypes, `${DEAD_LETTER_PREFIX}>`]) {
    nats.subscribe(`${subjectPrefix}${subject}`, {
      callback: (error, message) => {
        if (error) return;
        try {
          const tailed = { subject: message.subject.slice(subjectPrefix.length), event: message.json<EventJson>() };
          events.push(tailed);
          onEvent(tailed);
        } catch {
          // Not JSON: nothing a person could read either; the services dead-letter it.
        }
      },
    });
  }
  await nats.flush();
  return {
    events,
    close: () => nats.close(),
  };
}

function shortPrincipal(value: string): string {
  return /^S[0-9A-Z]{38,40}$/.test(value) ? `${value.slice(0, 5)}…${value.slice(-4)}` : value;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return shortPrincipal(value);
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value !== null && typeof value === "object") return "{…}";
  return String(value);
}

/** One readable console line for an event: time, subject, payload fields, transaction and trace. */
export function formatEventLine(tailed: TailedEvent): string {
  const { event } = tailed;
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const fields = Object.entries(payload)
    .slice(0, 6)
    .map(([key, value]) => `${key}=${describeValue(value)}`)
    .join(" ");
  const time = typeof event.occurredAt === "string" ? event.occurredAt.slice(11, 19) : "--:--:--";
  const chain = event.chain ? ` tx ${event.chain.txId.slice(0, 12)}… @${event.chain.blockHeight}` : "";
  const trace = event.traceContext?.traceparent?.split("-")[1];
  return `${time}  ${tailed.subject.padEnd(26)} ${fields}${chain}${trace ? ` trace ${trace}` : ""}`;
}
