import {
  type ConsumerMessages,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import { CustomTransportStrategy, type MessageHandler, Server } from "@nestjs/microservices";
import { isObservable, lastValueFrom } from "rxjs";
import { EVENT_ID_HEADER, recordDeadLetter } from "./dead-letters.js";
import { type HandlerFailure, MessagingError, toHandlerFailure } from "./errors.js";
import { claimInboxEntries } from "./inbox.js";
import { JetStreamContext, type SharedTransaction } from "./jetstream-context.js";
import { addLagSource, consumerRestarts, eventsConsumed, eventsDeadLettered, eventsRetried } from "./metrics.js";
import { connectWatched, type NatsConnectionWatch } from "./nats-connection.js";
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff, retryDelayMs } from "./retry-policy.js";
import {
  type ConsumerSpec,
  deadLetterStreamSpec,
  ensureConsumer,
  ensureStreams,
  type StreamSpec,
} from "./stream-topology.js";
import { durableName, SubjectNaming, subjectMatches } from "./subjects.js";
import { recordSpanFailure, withProcessSpan } from "./trace-propagation.js";
import type { TransactionRunner } from "./transactions.js";

/** Identifies handlers bound to this transport: `@EventPattern(subject, JETSTREAM_TRANSPORT)`. */
export const JETSTREAM_TRANSPORT = Symbol.for("voltstack.messaging.jetstream");

/** Per-handler consumer settings; defaults for all handlers, or `@EventPattern(subject, { jetstream: {...} })`. */
export type HandlerConsumerOptions = {
  /** Deliveries before the message goes to the dead-letter store. */
  maxDeliver?: number;
  backoff?: RetryBackoff;
  /**
   * How long the server waits for an ack, or for a sign of progress, before redelivering to
   * another replica. While a handler runs the transport reports progress every third of it,
   * so it bounds the hand-over after a crash, not the handler's duration.
   */
  ackWaitMs?: number;
  /**
   * A handler running longer than this is stuck: readiness goes down and progress is no
   * longer reported, so the server redelivers the message after the ack wait.
   */
  stuckAfterMs?: number;
  /** Unacknowledged messages the server lets this consumer hold, over all replicas. */
  maxAckPending?: number;
  /** Transactions one replica runs at once. Order is kept only with 1 (and batchSize 1). */
  concurrency?: number;
  /**
   * Deliveries that may share one transaction when several are waiting: their
   * handlers run one after the other, their runOnce effects commit together and
   * they are acknowledged after that commit. If any of them fails, the shared
   * transaction is rolled back and each is handled again in a transaction of
   * its own. 1 gives every delivery its own transaction.
   */
  batchSize?: number;
};

type ResolvedConsumerOptions = Required<HandlerConsumerOptions>;

const CONSUMER_DEFAULTS: ResolvedConsumerOptions = {
  maxDeliver: 5,
  backoff: DEFAULT_RETRY_BACKOFF,
  ackWaitMs: 15_000,
  stuckAfterMs: 5 * 60_000,
  maxAckPending: 1_000,
  concurrency: 8,
  batchSize: 16,
};

export type JetStreamServerOptions = {
  /** The service name; part of every durable consumer name. */
  service: string;
  /**
   * A connection to use (the caller closes it; it should reconnect without a limit) or
   * options to open one that does (closed by close()).
   */
  nats: NatsConnection | NodeConnectionOptions;
  /** Transactions for runOnce and the dead-letter store (pgTransactions(pool) or prismaTransactions(prisma)). */
  transactions: TransactionRunner<unknown>;
  /** The service's schema holding inbox, outbox and dead_letters; omit to use search_path. */
  schema?: string;
  subjectPrefix?: string;
  /** Streams this service declares; each handler's subject must fall in one. */
  streams: StreamSpec[];
  /** The stream of `dlq.>`; declared unless false. */
  deadLetterStream?: StreamSpec | false;
  consumerDefaults?: HandlerConsumerOptions;
  onError?: (error: unknown) => void;
  /** Changes of a consumer's state (stopped fetching, fetching again); defaults to the Nest logger. */
  onStateChange?: (message: string) => void;
};

/** What keeps a service from working (readiness) and what it cannot recover from by itself (liveness). */
export type ConsumersHealth = { notReady: string[]; notLive: string[] };

/** Pauses between attempts to start a consumer's fetch loop again: doubling from the first to the last. */
const FETCH_RESTART_BACKOFF = { firstMs: 500, maxMs: 15_000 } as const;
/** Pauses between asking an unreachable database whether it answers again. */
const DATABASE_PROBE_BACKOFF = { firstMs: 250, maxMs: 5_000 } as const;

function isConnection(value: NatsConnection | NodeConnectionOptions): value is NatsConnection {
  return typeof (value as NatsConnection).publish === "function";
}

/**
 * Deliveries received and not yet handled. The fetch loop fills it up to its
 * capacity; handler tasks take what is waiting (up to a batch) whenever free,
 * so batches form under load and a lone message is handled at once.
 */
class DeliveryQueue {
  private readonly items: JsMsg[] = [];
  private readonly takers: Array<() => void> = [];
  private space: (() => void) | undefined;
  private ended = false;
  constructor(private readonly capacity: number) {}

  async push(message: JsMsg): Promise<void> {
    while (this.items.length >= this.capacity && !this.ended) {
      await new Promise<void>((resolve) => (this.space = resolve));
    }
    this.items.push(message);
    this.takers.shift()?.();
  }

  /** Up to `max` waiting deliveries; undefined once ended and empty. */
  async take(max: number): Promise<JsMsg[] | undefined> {
    while (this.items.length === 0) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => this.takers.push(resolve));
    }
    const batch = this.items.splice(0, max);
    const space = this.space;
    this.space = undefined;
    space?.();
    return batch;
  }

  end(): void {
    this.ended = true;
    for (const taker of this.takers.splice(0)) taker();
    this.space?.();
  }
}

const utf8 = new TextDecoder();

type Delivery = { message: JsMsg; subject: string; eventId: string; data: unknown };

/** A delivery received and not yet settled; `startedAt` once its handler runs. */
type Held = { receivedAt: number; startedAt?: number };

type Route = {
  handler: MessageHandler;
  durable: string;
  settings: ResolvedConsumerOptions;
  held: Map<JsMsg, Held>;
};

type Worker = {
  stream: string;
  durable: string;
  spec: ConsumerSpec;
  route: Route;
  /** Why the fetch loop is not running, and since when; undefined while it fetches. */
  outage: { since: number; reason: string } | undefined;
  /** Since when the server's heartbeats stopped on a connection that is up. */
  stalledSince: number | undefined;
  /** Set when the connection closed for good: nothing here can start it again. */
  dead: string | undefined;
  messages: ConsumerMessages | undefined;
  wake: (() => void) | undefined;
  tasks: Promise<unknown>;
  stopProgress: () => void;
  removeLag: () => void;
};

/**
 * A Nest transport over JetStream. Each `@EventPattern(subject)` handler gets
 * one durable pull consumer named after the service and the subject, created
 * or updated at start-up. A message is acknowledged only after its handler
 * returned (so after runOnce committed); a retryable failure is nak'ed with an
 * exponential delay; after maxDeliver deliveries, or at once for a
 * NonRetryableError or a payload that is not JSON, it goes to the dead-letter
 * store (row plus `dlq.<subject>` event) and is terminated.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  private readonly naming: SubjectNaming;
  private readonly streams: StreamSpec[];
  private readonly defaults: ResolvedConsumerOptions;
  private readonly onError: (error: unknown) => void;
  private nc: NatsConnection | undefined;
  private ownWatch: NatsConnectionWatch | undefined;
  private readonly onStateChange: (message: string) => void;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private readonly workers: Worker[] = [];
  private closing = false;
  /** While the database does not answer: resolves true once it does, false if the server closes first. */
  private databaseOutage: Promise<boolean> | undefined;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.naming = new SubjectNaming(options.subjectPrefix);
    const dlq = options.deadLetterStream === false ? [] : [options.deadLetterStream ?? deadLetterStreamSpec()];
    this.streams = [...options.streams, ...dlq];
    this.defaults = { ...CONSUMER_DEFAULTS, ...options.consumerDefaults };
    this.onError = options.onError ?? ((error) => this.logger.error(error));
    this.onStateChange = options.onStateChange ?? ((message) => this.logger.warn(message));
  }

  async listen(callback: (error?: unknown, info?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Connects, declares streams and consumers, and starts consuming. */
  async start(): Promise<void> {
    try {
      await this.connectAndConsume();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async connectAndConsume(): Promise<void> {
    this.closing = false;
    const nats = this.options.nats;
    if (isConnection(nats)) {
      this.nc = nats;
    } else {
      const name = nats.name ?? `${this.options.service}-consumers`;
      const opened = await connectWatched({ ...nats, name });
      this.nc = opened.connection;
      this.ownWatch = opened.watch;
    }
    this.jsm = await jetstreamManager(this.nc);
    this.js = jetstream(this.nc);
    await ensureStreams(this.jsm, this.naming, this.streams);
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) {
        throw new MessagingError(
          "REQUEST_HANDLERS_UNSUPPORTED",
          `@MessagePattern("${pattern}") is not supported by the JetStream transport; use @EventPattern.`,
        );
      }
      await this.startWorker(pattern, handler);
    }
  }

  /** The names of the durable consumers this server runs. */
  consumers(): Array<{ stream: string; durable: string }> {
    return this.workers.map(({ stream, durable }) => ({ stream, durable }));
  }

  private streamFor(subject: string): string {
    const wire = this.naming.wire(subject);
    const spec = this.streams.find((candidate) =>
      candidate.subjects.some((filter) => subjectMatches(this.naming.wire(filter), wire)),
    );
    if (!spec) {
      throw new MessagingError(
        "NO_STREAM_FOR_SUBJECT",
        `No declared stream captures subject "${subject}"; add it to the streams of service ${this.options.service}.`,
      );
    }
    return this.naming.streamName(spec.name);
  }

  private async startWorker(subject: string, handler: MessageHandler): Promise<void> {
    const extras = (handler.extras?.jetstream ?? {}) as HandlerConsumerOptions;
    const settings: ResolvedConsumerOptions = { ...this.defaults, ...extras };
    const stream = this.streamFor(subject);
    const durable = durableName(this.options.service, subject);
    const spec: ConsumerSpec = {
      stream,
      durable,
      filterSubject: this.naming.wire(subject),
      description: `${this.options.service} handling ${subject}`,
      ackWaitMs: settings.ackWaitMs,
      maxAckPending: settings.maxAckPending,
      metadata: { service: this.options.service, subject },
    };
    await ensureConsumer(this.jsm!, this.nc!, spec);
    const capacity = settings.concurrency * settings.batchSize;
    const queue = new DeliveryQueue(capacity);
    const route: Route = { handler, durable, settings, held: new Map() };
    const jsm = this.jsm!;
    const worker: Worker = {
      stream,
      durable,
      spec,
      route,
      outage: undefined,
      stalledSince: undefined,
      dead: undefined,
      messages: undefined,
      wake: undefined,
      tasks: Promise.resolve(),
      stopProgress: () => undefined,
      removeLag: () => undefined,
    };
    // The first fetch loop starts here, so that a consumer that cannot start fails start().
    worker.messages = await this.consume(worker);
    worker.stopProgress = this.reportProgress(route);
    worker.removeLag = addLagSource(async () => {
      const info = await jsm.consumers.info(stream, durable);
      return { stream, consumer: durable, pending: info.num_pending };
    });
    const fetching = this.superviseFetching(worker, queue);
    const handling = Array.from({ length: settings.concurrency }, async () => {
      for (let batch = await queue.take(settings.batchSize); batch; batch = await queue.take(settings.batchSize)) {
        await this.handleBatch(batch, route).catch((error: unknown) => this.onError(error));
      }
    });
    worker.tasks = Promise.all([fetching, ...handling]);
    this.workers.push(worker);
  }

  /** Opens a fetch loop on the durable consumer; a missing consumer or stream ends it, to be declared again. */
  private async consume(worker: Worker): Promise<ConsumerMessages> {
    const consumer = await this.js!.consumers.get(worker.stream, worker.durable);
    const { concurrency, batchSize } = worker.route.settings;
    const messages = await consumer.consume({ max_messages: Math.max(concurrency * batchSize, 32) });
    void (async () => {
      for await (const event of messages.status()) {
        // The client would ask for the consumer again and again without ever creating it.
        if (event.type === "consumer_not_found" || event.type === "stream_not_found") {
          worker.outage ??= { since: Date.now(), reason: `${event.type.replaceAll("_", " ")} on the server` };
          void messages.close();
        } else if (event.type === "heartbeats_missed") {
          // The client asks again by itself; until the server answers, this consumer receives nothing.
          worker.stalledSince ??= Date.now();
        } else if (event.type === "heartbeat" || event.type === "next") {
          worker.stalledSince = undefined;
        }
      }
    })();
    return messages;
  }

  /**
   * Runs the fetch loop and, whenever it ends or fails while the server is not closing
   * (consumer or stream gone after a server restart, a JetStream error), declares the
   * stream and consumer again and restarts it, with backoff, until it runs or the
   * connection is closed for good.
   */
  private async superviseFetching(worker: Worker, queue: DeliveryQueue): Promise<void> {
    let failures = 0;
    try {
      while (!this.closing) {
        try {
          worker.messages ??= await this.redeclareAndConsume(worker);
          if (worker.outage) {
            this.onStateChange(
              `consumer ${worker.durable} fetching again after ${Math.round((Date.now() - worker.outage.since) / 1000)} s`,
            );
            worker.outage = undefined;
          }
          for await (const message of worker.messages) {
            failures = 0;
            worker.stalledSince = undefined;
            worker.route.held.set(message, { receivedAt: Date.now() });
            await queue.push(message);
          }
          if (this.closing) break;
          // The status watcher may have ended the loop and said why.
          const outage = worker.outage as Worker["outage"];
          throw new MessagingError("FETCH_LOOP_ENDED", outage?.reason ?? "the fetch loop ended");
        } catch (error) {
          if (this.closing) break;
          worker.messages = undefined;
          const reason = error instanceof Error ? error.message : String(error);
          if (this.nc!.isClosed()) {
            worker.dead = `the NATS connection is closed for good (${reason})`;
            this.onError(new MessagingError("CONSUMER_DEAD", `consumer ${worker.durable} stopped: ${worker.dead}`));
            return;
          }
          if (failures === 0) {
            worker.outage = { since: worker.outage?.since ?? Date.now(), reason };
            this.onStateChange(`consumer ${worker.durable} stopped fetching (${reason}); starting it again`);
          }
          failures += 1;
          consumerRestarts.inc({ consumer: worker.durable });
          await this.pause(worker, backoffMs(FETCH_RESTART_BACKOFF, failures));
        }
      }
    } finally {
      queue.end();
    }
  }

  private async redeclareAndConsume(worker: Worker): Promise<ConsumerMessages> {
    await ensureStreams(this.jsm!, this.naming, this.streams);
    await ensureConsumer(this.jsm!, this.nc!, worker.spec);
    return this.consume(worker);
  }

  private pause(worker: Worker, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      worker.wake = done;
    });
  }

  /**
   * Tells JetStream, every third of the ack wait, that each delivery received and not
   * yet settled is still being worked on (waiting for a handler, or in one), so the ack
   * wait can be short: a delivery held by a process that died goes to another replica
   * within one ack wait. A handler past stuckAfterMs no longer gets this.
   */
  private reportProgress(route: Route): () => void {
    const { ackWaitMs, stuckAfterMs } = route.settings;
    const timer = setInterval(
      () => {
        const now = Date.now();
        for (const [message, held] of route.held) {
          if (held.startedAt !== undefined && now - held.startedAt > stuckAfterMs) continue;
          try {
            message.working();
          } catch {
            // Disconnected: the server redelivers after the ack wait if we do not come back in time.
          }
        }
      },
      Math.max(100, Math.floor(ackWaitMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Consumers that are not fetching or have a handler running past stuckAfterMs (not
   * ready), and those that can never fetch again (not live: the process needs a restart).
   */
  health(now: number = Date.now()): ConsumersHealth {
    const health: ConsumersHealth = { notReady: [], notLive: [] };
    if (this.closing) return health;
    if (this.ownWatch) {
      try {
        this.ownWatch.assertRecoverable();
      } catch (error) {
        health.notLive.push((error as Error).message);
      }
    }
    for (const worker of this.workers) {
      if (worker.dead) {
        health.notLive.push(`consumer ${worker.durable}: ${worker.dead}`);
        continue;
      }
      if (worker.outage) {
        const seconds = Math.round((now - worker.outage.since) / 1000);
        health.notReady.push(`consumer ${worker.durable} not fetching for ${seconds} s: ${worker.outage.reason}`);
      }
      if (worker.stalledSince !== undefined) {
        const seconds = Math.round((now - worker.stalledSince) / 1000);
        health.notReady.push(`consumer ${worker.durable}: no heartbeat from JetStream for ${seconds} s`);
      }
      const { stuckAfterMs } = worker.route.settings;
      let longest = 0;
      for (const held of worker.route.held.values()) {
        if (held.startedAt !== undefined) longest = Math.max(longest, now - held.startedAt);
      }
      if (longest > stuckAfterMs) {
        health.notReady.push(
          `consumer ${worker.durable} stuck: a handler has run for ${Math.round(longest / 1000)} s (limit ${Math.round(stuckAfterMs / 1000)} s)`,
        );
      }
    }
    return health;
  }

  private eventId(message: JsMsg): string {
    const headers = message.headers;
    const explicit = headers?.has(EVENT_ID_HEADER) ? headers.get(EVENT_ID_HEADER) : "";
    if (explicit) return explicit;
    const msgId = headers?.has("Nats-Msg-Id") ? headers.get("Nats-Msg-Id") : "";
    return msgId || `${message.info.stream}:${message.seq}`;
  }

  private context(delivery: Delivery, durable: string, shared?: SharedTransaction): JetStreamContext {
    return new JetStreamContext({
      message: delivery.message,
      subject: delivery.subject,
      eventId: delivery.eventId,
      consumer: durable,
      transactions: this.options.transactions,
      schema: this.options.schema,
      shared,
    });
  }

  /** Dead-letters what can never succeed, then handles the rest alone or in one shared transaction. */
  private async handleBatch(messages: JsMsg[], route: Route): Promise<void> {
    const startedAt = Date.now();
    for (const message of messages) route.held.set(message, { ...route.held.get(message)!, startedAt });
    const ready: Delivery[] = [];
    for (const message of messages) {
      const subject = this.naming.logical(message.subject);
      const eventId = this.eventId(message);
      const deliveryCount = message.info.deliveryCount;
      if (deliveryCount > route.settings.maxDeliver) {
        // Earlier deliveries ended without an outcome (the consumer died while handling it).
        const failure = {
          code: "MAX_DELIVERIES_EXCEEDED",
          message: `Delivered ${deliveryCount} times without completing.`,
          retryable: false,
        };
        await this.deadLetter(message, subject, eventId, failure, route);
        continue;
      }
      try {
        ready.push({ message, subject, eventId, data: JSON.parse(utf8.decode(message.data)) as unknown });
      } catch (error) {
        const failure = {
          code: "PAYLOAD_NOT_JSON",
          message: `The message body is not JSON: ${String(error)}`,
          retryable: false,
        };
        await this.deadLetter(message, subject, eventId, failure, route);
      }
    }
    if (ready.length === 1) await this.handleAlone(ready[0]!, route);
    else if (ready.length > 1) await this.handleTogether(ready, route);
  }

  private async handleTogether(deliveries: Delivery[], route: Route): Promise<void> {
    try {
      await this.options.transactions.transaction(async (tx, sql) => {
        const claimed = await claimInboxEntries(sql, route.durable, deliveries, this.options.schema);
        for (const delivery of deliveries) {
          const { message, subject, eventId } = delivery;
          const attributes = { messageId: eventId, consumer: route.durable, deliveryCount: message.info.deliveryCount };
          await withProcessSpan(subject, message.headers, attributes, async (span) => {
            const context = this.context(delivery, route.durable, { tx, sql, claimed });
            try {
              await this.invoke(route.handler, delivery.data, context);
              // A handler that swallowed a failed runOnce left the transaction aborted.
              if (context.failure !== undefined) throw context.failure;
            } catch (error) {
              recordSpanFailure(span, "the shared transaction failed; handling each delivery alone");
              throw error;
            }
          });
        }
      });
    } catch {
      for (const delivery of deliveries) await this.handleAlone(delivery, route);
      return;
    }
    for (const { message, subject } of deliveries) {
      this.settle(message, route, () => message.ack());
      eventsConsumed.inc({ subject, consumer: route.durable });
    }
  }

  /**
   * Handles one delivery. A retryable failure while the database does not answer is not
   * counted as a delivery: the message is held (progress still reported) until the
   * database answers and then handled again, so an outage of any length neither burns
   * the deliveries nor dead-letters anything.
   */
  private async handleAlone(delivery: Delivery, route: Route): Promise<void> {
    while (await this.handleOnce(delivery, route)) {
      const held = route.held.get(delivery.message);
      if (held) held.startedAt = undefined;
      const back = await this.waitForDatabase();
      if (!back) {
        this.settle(delivery.message, route, () => delivery.message.nak());
        return;
      }
      if (held) held.startedAt = Date.now();
    }
  }

  /** One attempt; true when it failed because the database does not answer. */
  private async handleOnce(delivery: Delivery, route: Route): Promise<boolean> {
    const { message, subject, eventId } = delivery;
    const { durable, settings } = route;
    const deliveryCount = message.info.deliveryCount;
    return withProcessSpan(
      subject,
      message.headers,
      { messageId: eventId, consumer: durable, deliveryCount },
      async (span) => {
        const context = this.context(delivery, durable);
        let failure: HandlerFailure;
        try {
          await this.invoke(route.handler, delivery.data, context);
          if (context.failure === undefined) {
            this.settle(message, route, () => message.ack());
            eventsConsumed.inc({ subject, consumer: durable });
            return false;
          }
          failure = toHandlerFailure(context.failure);
        } catch (error) {
          failure = toHandlerFailure(context.failure ?? error);
        }
        recordSpanFailure(span, `${failure.code}: ${failure.message}`);
        if (failure.retryable && !this.closing && !(await this.databaseAnswers())) return true;
        if (failure.retryable && deliveryCount < settings.maxDeliver) {
          this.settle(message, route, () => message.nak(retryDelayMs(settings.backoff, deliveryCount)));
          eventsRetried.inc({ subject, consumer: durable });
          return false;
        }
        await this.deadLetter(message, subject, eventId, failure, route);
        return false;
      },
    );
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.transactions.transaction((_tx, sql) => sql.query("SELECT 1"));
      return true;
    } catch {
      return false;
    }
  }

  /** One probe loop for all handlers, with one log line when it starts and one when it ends. */
  private waitForDatabase(): Promise<boolean> {
    this.databaseOutage ??= (async () => {
      const since = Date.now();
      this.onStateChange(
        "the database does not answer: deliveries are held until it does (not retried, not dead-lettered)",
      );
      for (let attempt = 1; !this.closing; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, backoffMs(DATABASE_PROBE_BACKOFF, attempt)));
        if (await this.databaseAnswers()) {
          this.onStateChange(
            `the database answers again after ${Math.round((Date.now() - since) / 1000)} s: handling the held deliveries`,
          );
          return true;
        }
      }
      return false;
    })().finally(() => (this.databaseOutage = undefined));
    return this.databaseOutage;
  }

  private async deadLetter(
    message: JsMsg,
    subject: string,
    eventId: string,
    failure: HandlerFailure,
    route: Route,
  ): Promise<void> {
    const { durable, settings } = route;
    const headers: Record<string, string> = {};
    for (const key of message.headers?.keys() ?? []) headers[key] = message.headers!.get(key);
    try {
      await this.options.transactions.transaction((_tx, sql) =>
        recordDeadLetter(
          sql,
          {
            consumer: durable,
            eventId,
            subject,
            stream: message.info.stream,
            streamSeq: message.seq,
            payload: message.data,
            headers,
            errorCode: failure.code,
            errorMessage: failure.message,
            deliveries: message.info.deliveryCount,
          },
          this.options.schema,
        ),
      );
    } catch (error) {
      // The store is unreachable: keep the message in JetStream and try again later.
      if (!this.closing) this.onError(error);
      this.settle(message, route, () => message.nak(retryDelayMs(settings.backoff, message.info.deliveryCount)));
      return;
    }
    this.settle(message, route, () => message.term());
    eventsDeadLettered.inc({ subject, consumer: durable });
  }

  /** Calls the Nest handler (and any chained handlers of the same pattern) and waits for its outcome. */
  private invoke(handler: MessageHandler, data: unknown, context: JetStreamContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result: unknown = await handler(data, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          resolve();
        } catch (error) {
          reject(error);
        } finally {
          runEndHook();
        }
      });
    });
  }

  /** Acks and naks are fire-and-forget; on a closed connection the server redelivers after ack wait. */
  private settle(message: JsMsg, route: Route, action: () => void): void {
    route.held.delete(message);
    try {
      action();
    } catch (error) {
      if (!this.closing) this.onError(error);
    }
  }

  /** Stops fetching, waits for the handlers in flight, and closes the connection it opened. */
  async close(): Promise<void> {
    this.closing = true;
    const workers = this.workers.splice(0);
    for (const worker of workers) {
      worker.removeLag();
      worker.wake?.();
      await worker.messages?.close().catch(() => undefined);
    }
    await Promise.all(workers.map((worker) => worker.tasks));
    for (const worker of workers) worker.stopProgress();
    if (this.nc && !isConnection(this.options.nats) && !this.nc.isClosed()) {
      this.ownWatch?.stopping();
      await this.nc.drain().catch(() => this.nc?.close());
    }
    this.nc = undefined;
    this.ownWatch = undefined;
  }

  on(): never {
    throw new MessagingError(
      "UNSUPPORTED",
      "The JetStream transport has no server events; watch the connection from unwrap() instead.",
    );
  }

  unwrap<T>(): T {
    if (!this.nc)
      throw new MessagingError("NOT_LISTENING", "The JetStream transport is not connected; call listen() first.");
    return this.nc as T;
  }
}

function backoffMs({ firstMs, maxMs }: { firstMs: number; maxMs: number }, attempt: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(attempt - 1, 16));
  return Math.round(base + base * 0.5 * Math.random());
}
