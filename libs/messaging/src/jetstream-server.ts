import { jetstream, type JetStreamClient, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import { CustomTransportStrategy, type MessageHandler, Server } from "@nestjs/microservices";
import { isObservable, lastValueFrom } from "rxjs";
import { CONSUMER_DEFAULTS, type HandlerConsumerOptions, type ResolvedConsumerOptions } from "./consumer-options.js";
import { type ConsumersHealth, ConsumerWorker, type WorkerEnvironment } from "./consumer-worker.js";
import { DatabaseAvailability } from "./database-availability.js";
import { DeliveryHandling } from "./delivery-handling.js";
import { DeliverySettlement } from "./delivery-settlement.js";
import { MessagingError } from "./errors.js";
import type { JetStreamContext } from "./jetstream-context.js";
import { connectWatched, type NatsConnectionWatch } from "./nats-connection.js";
import { deadLetterStreamSpec, ensureStreams, type StreamSpec } from "./stream-topology.js";
import { SubjectNaming } from "./subjects.js";
import type { TransactionRunner } from "./transactions.js";
import type { TransportRuntime } from "./transport-runtime.js";

/** Identifies handlers bound to this transport: `@EventPattern(subject, JETSTREAM_TRANSPORT)`. */
export const JETSTREAM_TRANSPORT = Symbol.for("voltstack.messaging.jetstream");

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

function isConnection(value: NatsConnection | NodeConnectionOptions): value is NatsConnection {
  return typeof (value as NatsConnection).publish === "function";
}

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
  private readonly runtime: TransportRuntime;
  private readonly handling: DeliveryHandling;
  private nc: NatsConnection | undefined;
  private ownWatch: NatsConnectionWatch | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private readonly workers: ConsumerWorker[] = [];
  private closing = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.naming = new SubjectNaming(options.subjectPrefix);
    const dlq = options.deadLetterStream === false ? [] : [options.deadLetterStream ?? deadLetterStreamSpec()];
    this.streams = [...options.streams, ...dlq];
    this.defaults = { ...CONSUMER_DEFAULTS, ...options.consumerDefaults };
    this.runtime = {
      service: options.service,
      naming: this.naming,
      transactions: options.transactions,
      schema: options.schema,
      isClosing: () => this.closing,
      onError: options.onError ?? ((error) => this.logger.error(error)),
      onStateChange: options.onStateChange ?? ((message) => this.logger.warn(message)),
    };
    this.handling = new DeliveryHandling(this.runtime, {
      invoke: (handler, data, context) => this.invoke(handler, data, context),
      settlement: new DeliverySettlement(this.runtime),
      database: new DatabaseAvailability(this.runtime),
    });
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
    const environment: WorkerEnvironment = {
      runtime: this.runtime,
      connection: { nc: this.nc, js: this.js, jsm: this.jsm },
      streams: this.streams,
      defaults: this.defaults,
      handling: this.handling,
    };
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) {
        throw new MessagingError(
          "REQUEST_HANDLERS_UNSUPPORTED",
          `@MessagePattern("${pattern}") is not supported by the JetStream transport; use @EventPattern.`,
        );
      }
      this.workers.push(await ConsumerWorker.start(environment, pattern, handler));
    }
  }

  /** The names of the durable consumers this server runs. */
  consumers(): Array<{ stream: string; durable: string }> {
    return this.workers.map(({ stream, durable }) => ({ stream, durable }));
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
    for (const worker of this.workers) worker.reportHealth(health, now);
    return health;
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

  /** Stops fetching, waits for the handlers in flight, and closes the connection it opened. */
  async close(): Promise<void> {
    this.closing = true;
    const workers = this.workers.splice(0);
    for (const worker of workers) await worker.stopFetching();
    await Promise.all(workers.map((worker) => worker.finished()));
    for (const worker of workers) worker.stopReportingProgress();
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
