import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  decodeEvent,
  type DeploymentRef,
  type DomainEvent,
  EventValidationError,
  type EventType,
  isEventType,
} from "@voltstack/events";
import { MemoryProcessedEvents, type ProcessedEvents } from "./processed-events.js";

export interface EventSubscriberOptions {
  nats: NatsConnection;
  /** Names the durable consumers (`<name>__<subject>`), so a restart resumes where the last run stopped. */
  name: string;
  subjects: readonly EventType[];
  /** The services' SUBJECT_PREFIX (`staging.`), when they run with one. */
  subjectPrefix?: string;
  /**
   * The deployment (network and contract deployer) whose events are wanted: an event naming
   * another is skipped, not handled, so a subscriber of a NATS server that several
   * deployments share never takes another chain's events for its own.
   */
  deployment?: DeploymentRef;
  /** How long the server waits for an ack before delivering the event again; longer than `handle` takes. */
  ackWaitMs?: number;
  /** Event ids already handled; in memory unless given. */
  processed?: ProcessedEvents;
  /** The integrator's work for one valid event; throwing hands the event back for a later retry. */
  handle: (event: DomainEvent) => Promise<void> | void;
  /** Told what became of every delivery. */
  report?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome =
  | { kind: "handled"; event: DomainEvent; deliveryCount: number }
  | { kind: "duplicate"; subject: string; eventId: string; deliveryCount: number }
  | { kind: "other-deployment"; subject: string; eventId: string; deployment: DeploymentRef }
  | { kind: "refused"; subject: string; streamSequence: number; code: string; reason: string }
  | {
      kind: "retrying";
      subject: string;
      eventId: string | null;
      deliveryCount: number;
      delayMs: number;
      error: unknown;
    };

export interface EventSubscriber {
  /** The durable consumer of each subject. */
  readonly consumers: ReadonlyArray<{ subject: EventType; stream: string; durable: string }>;
  /** Stops fetching and waits for the delivery in hand to finish. */
  stop(): Promise<void>;
}

/** A failure of the subscriber's set-up, with a stable code. */
export class SubscriberError extends Error {
  override readonly name = "SubscriberError";

  constructor(
    readonly code: "NO_STREAM_FOR_SUBJECT" | "UNKNOWN_EVENT_TYPE",
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_ACK_WAIT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Subscribes to catalog events through one durable pull consumer per subject, on the
 * streams the services declare. Each delivery is validated against the catalog: an
 * invalid one is terminated (redelivering it cannot make it valid), a valid one is
 * handled once per event id and acknowledged after `handle` returned.
 */
export async function startEventSubscriber(options: EventSubscriberOptions): Promise<EventSubscriber> {
  const prefix = options.subjectPrefix ?? "";
  const processed = options.processed ?? new MemoryProcessedEvents();
  const report = options.report ?? (() => undefined);
  const jsm = await jetstreamManager(options.nats);
  const js = jetstream(options.nats);

  const consumers: Array<{ subject: EventType; stream: string; durable: string }> = [];
  for (const subject of options.subjects) {
    if (!isEventType(subject)) {
      throw new SubscriberError("UNKNOWN_EVENT_TYPE", `"${String(subject)}" is not a subject of the event catalog.`);
    }
    const wire = `${prefix}${subject}`;
    const stream = await jsm.streams.find(wire).catch((error: unknown) => {
      throw new SubscriberError(
        "NO_STREAM_FOR_SUBJECT",
        `No JetStream stream holds ${wire}; start the service that publishes it first (${String(error)}).`,
      );
    });
    const durable = `${options.name}__${subject}`.replace(/[^A-Za-z0-9_-]/g, "_");
    if (!(await consumerExists(jsm, stream, durable))) {
      await jsm.consumers.add(stream, {
        durable_name: durable,
        description: `${options.name} reading ${subject}`,
        filter_subject: wire,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      });
    }
    consumers.push({ subject, stream, durable });
  }

  async function deliver(message: JsMsg): Promise<void> {
    const subject = message.subject.startsWith(prefix) ? message.subject.slice(prefix.length) : message.subject;
    const deliveryCount = message.info.deliveryCount;
    let event: DomainEvent;
    try {
      if (!isEventType(subject)) {
        throw new SubscriberError("UNKNOWN_EVENT_TYPE", `"${subject}" is not a subject of the event catalog.`);
      }
      event = decodeEvent(subject, message.data);
    } catch (error) {
      if (!(error instanceof EventValidationError || error instanceof SubscriberError)) throw error;
      message.term();
      report({ kind: "refused", subject, streamSequence: message.seq, code: error.code, reason: error.message });
      return;
    }
    const wanted = options.deployment;
    if (
      wanted &&
      event.deployment &&
      (event.deployment.network !== wanted.network || event.deployment.deployer !== wanted.deployer)
    ) {
      message.ack();
      report({ kind: "other-deployment", subject, eventId: event.eventId, deployment: event.deployment });
      return;
    }
    try {
      if (await processed.has(event.eventId)) {
        message.ack();
        report({ kind: "duplicate", subject, eventId: event.eventId, deliveryCount });
        return;
      }
      await options.handle(event);
      await processed.add(event.eventId);
    } catch (error) {
      retryLater(message, subject, event.eventId, error);
      return;
    }
    message.ack();
    report({ kind: "handled", event, deliveryCount });
  }

  function retryLater(message: JsMsg, subject: string, eventId: string | null, error: unknown): void {
    const deliveryCount = message.info.deliveryCount;
    const delayMs = Math.min(1_000 * 2 ** (deliveryCount - 1), MAX_RETRY_DELAY_MS);
    message.nak(delayMs);
    report({ kind: "retrying", subject, eventId, deliveryCount, delayMs, error });
  }

  const running: Array<{ messages: ConsumerMessages; loop: Promise<void> }> = [];
  for (const { stream, durable } of consumers) {
    const consumer = await js.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: 64 });
    // One delivery at a time per subject: an event id is never handled twice concurrently.
    const loop = (async () => {
      for await (const message of messages) {
        await deliver(message).catch((error: unknown) => retryLater(message, message.subject, null, error));
      }
    })();
    running.push({ messages, loop });
  }

  return {
    consumers,
    async stop() {
      for (const { messages } of running) await messages.close();
      await Promise.all(running.map(({ loop }) => loop));
    },
  };
}

async function consumerExists(jsm: JetStreamManager, stream: string, durable: string): Promise<boolean> {
  try {
    await jsm.consumers.info(stream, durable);
    return true;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return false;
    throw error;
  }
}
