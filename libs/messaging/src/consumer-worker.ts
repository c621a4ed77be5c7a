import type { ConsumerMessages, JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { MessageHandler } from "@nestjs/microservices";
import type { HandlerConsumerOptions, ResolvedConsumerOptions } from "./consumer-options.js";
import type { Route } from "./consumer-route.js";
import type { DeliveryHandling } from "./delivery-handling.js";
import { DeliveryQueue } from "./delivery-queue.js";
import { MessagingError } from "./errors.js";
import { jitteredBackoffMs } from "./jittered-backoff.js";
import { addLagSource, consumerRestarts } from "./metrics.js";
import { reportProgress } from "./progress-reporting.js";
import { type ConsumerSpec, ensureConsumer, ensureStreams, type StreamSpec } from "./stream-topology.js";
import { durableName, subjectMatches } from "./subjects.js";
import type { TransportRuntime } from "./transport-runtime.js";

/** What keeps a service from working (readiness) and what it cannot recover from by itself (liveness). */
export type ConsumersHealth = { notReady: string[]; notLive: string[] };

/** What a consumer worker needs of the server that starts it. */
export type WorkerEnvironment = {
  runtime: TransportRuntime;
  connection: { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager };
  /** Every stream the service declares, the dead-letter stream included. */
  streams: StreamSpec[];
  defaults: ResolvedConsumerOptions;
  handling: DeliveryHandling;
};

/** Why a fetch loop is not running, and since when. */
type Outage = { since: number; reason: string };

/** Pauses between attempts to start a consumer's fetch loop again: doubling from the first to the last. */
const FETCH_RESTART_BACKOFF = { firstMs: 500, maxMs: 15_000 } as const;

/**
 * One handler's durable pull consumer: the fetch loop that fills its delivery queue,
 * kept running across server restarts, and the handler tasks that empty it.
 */
export class ConsumerWorker {
  readonly stream: string;
  readonly durable: string;
  /** Undefined while the fetch loop fetches. */
  private outage: Outage | undefined;
  /** Since when the server's heartbeats stopped on a connection that is up. */
  private stalledSince: number | undefined;
  /** Set when the connection closed for good: nothing here can start it again. */
  private dead: string | undefined;
  private messages: ConsumerMessages | undefined;
  private wake: (() => void) | undefined;
  private tasks: Promise<unknown> = Promise.resolve();
  private stopProgress: () => void = () => undefined;
  private removeLag: () => void = () => undefined;

  private constructor(
    private readonly env: WorkerEnvironment,
    private readonly spec: ConsumerSpec,
    private readonly route: Route,
  ) {
    this.stream = spec.stream;
    this.durable = spec.durable;
  }

  /** Declares the handler's durable consumer and starts its fetch loop and handler tasks. */
  static async start(env: WorkerEnvironment, subject: string, handler: MessageHandler): Promise<ConsumerWorker> {
    const { runtime } = env;
    const extras = (handler.extras?.jetstream ?? {}) as HandlerConsumerOptions;
    const settings: ResolvedConsumerOptions = { ...env.defaults, ...extras };
    const stream = streamFor(env, subject);
    const durable = durableName(runtime.service, subject);
    const spec: ConsumerSpec = {
      stream,
      durable,
      filterSubject: runtime.naming.wire(subject),
      description: `${runtime.service} handling ${subject}`,
      ackWaitMs: settings.ackWaitMs,
      maxAckPending: settings.maxAckPending,
      metadata: { service: runtime.service, subject },
    };
    await ensureConsumer(env.connection.jsm, env.connection.nc, spec);
    const capacity = settings.concurrency * settings.batchSize;
    const queue = new DeliveryQueue(capacity);
    const route: Route = { handler, durable, settings, held: new Map() };
    const jsm = env.connection.jsm;
    const worker = new ConsumerWorker(env, spec, route);
    // The first fetch loop starts here, so that a consumer that cannot start fails start().
    worker.messages = await worker.consume();
    worker.stopProgress = reportProgress(route);
    worker.removeLag = addLagSource(async () => {
      const info = await jsm.consumers.info(stream, durable);
      return { stream, consumer: durable, pending: info.num_pending };
    });
    const fetching = worker.superviseFetching(queue);
    const handling = Array.from({ length: settings.concurrency }, async () => {
      for (let batch = await queue.take(settings.batchSize); batch; batch = await queue.take(settings.batchSize)) {
        await env.handling.handleBatch(batch, route).catch((error: unknown) => runtime.onError(error));
      }
    });
    worker.tasks = Promise.all([fetching, ...handling]);
    return worker;
  }

  /** Opens a fetch loop on the durable consumer; a missing consumer or stream ends it, to be declared again. */
  private async consume(): Promise<ConsumerMessages> {
    const consumer = await this.env.connection.js.consumers.get(this.stream, this.durable);
    const { concurrency, batchSize } = this.route.settings;
    const messages = await consumer.consume({ max_messages: Math.max(concurrency * batchSize, 32) });
    void (async () => {
      for await (const event of messages.status()) {
        // The client would ask for the consumer again and again without ever creating it.
        if (event.type === "consumer_not_found" || event.type === "stream_not_found") {
          this.outage ??= { since: Date.now(), reason: `${event.type.replaceAll("_", " ")} on the server` };
          void messages.close();
        } else if (event.type === "heartbeats_missed") {
          // The client asks again by itself; until the server answers, this consumer receives nothing.
          this.stalledSince ??= Date.now();
        } else if (event.type === "heartbeat" || event.type === "next") {
          this.stalledSince = undefined;
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
  private async superviseFetching(queue: DeliveryQueue): Promise<void> {
    const { runtime } = this.env;
    let failures = 0;
    try {
      while (!runtime.isClosing()) {
        try {
          this.messages ??= await this.redeclareAndConsume();
          if (this.outage) {
            runtime.onStateChange(
              `consumer ${this.durable} fetching again after ${Math.round((Date.now() - this.outage.since) / 1000)} s`,
            );
            this.outage = undefined;
          }
          for await (const message of this.messages) {
            failures = 0;
            this.stalledSince = undefined;
            this.route.held.set(message, { receivedAt: Date.now() });
            await queue.push(message);
          }
          if (runtime.isClosing()) break;
          // The status watcher may have ended the loop and said why.
          const outage = this.outage as Outage | undefined;
          throw new MessagingError("FETCH_LOOP_ENDED", outage?.reason ?? "the fetch loop ended");
        } catch (error) {
          if (runtime.isClosing()) break;
          this.messages = undefined;
          const reason = error instanceof Error ? error.message : String(error);
          if (this.env.connection.nc.isClosed()) {
            this.dead = `the NATS connection is closed for good (${reason})`;
            runtime.onError(new MessagingError("CONSUMER_DEAD", `consumer ${this.durable} stopped: ${this.dead}`));
            return;
          }
          if (failures === 0) {
            this.outage = { since: this.outage?.since ?? Date.now(), reason };
            runtime.onStateChange(`consumer ${this.durable} stopped fetching (${reason}); starting it again`);
          }
          failures += 1;
          consumerRestarts.inc({ consumer: this.durable });
          await this.pause(jitteredBackoffMs(FETCH_RESTART_BACKOFF, failures));
        }
      }
    } finally {
      queue.end();
    }
  }

  private async redeclareAndConsume(): Promise<ConsumerMessages> {
    const { connection, runtime, streams } = this.env;
    await ensureStreams(connection.jsm, runtime.naming, streams);
    await ensureConsumer(connection.jsm, connection.nc, this.spec);
    return this.consume();
  }

  /** Waits `ms`, or less if stopFetching() wakes it. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * Adds to `health` this consumer not fetching or having a handler running past
   * stuckAfterMs (not ready), or never able to fetch again (not live).
   */
  reportHealth(health: ConsumersHealth, now: number): void {
    if (this.dead) {
      health.notLive.push(`consumer ${this.durable}: ${this.dead}`);
      return;
    }
    if (this.outage) {
      const seconds = Math.round((now - this.outage.since) / 1000);
      health.notReady.push(`consumer ${this.durable} not fetching for ${seconds} s: ${this.outage.reason}`);
    }
    if (this.stalledSince !== undefined) {
      const seconds = Math.round((now - this.stalledSince) / 1000);
      health.notReady.push(`consumer ${this.durable}: no heartbeat from JetStream for ${seconds} s`);
    }
    const { stuckAfterMs } = this.route.settings;
    let longest = 0;
    for (const held of this.route.held.values()) {
      if (held.startedAt !== undefined) longest = Math.max(longest, now - held.startedAt);
    }
    if (longest > stuckAfterMs) {
      health.notReady.push(
        `consumer ${this.durable} stuck: a handler has run for ${Math.round(longest / 1000)} s (limit ${Math.round(stuckAfterMs / 1000)} s)`,
      );
    }
  }

  /** Ends the fetch loop and any pause before restarting it; the handler tasks then finish what was received. */
  async stopFetching(): Promise<void> {
    this.removeLag();
    this.wake?.();
    await this.messages?.close().catch(() => undefined);
  }

  /** Resolves once the fetch loop and every handler task have ended. */
  finished(): Promise<unknown> {
    return this.tasks;
  }

  stopReportingProgress(): void {
    this.stopProgress();
  }
}

/** The name of the declared stream that captures `subject`. */
function streamFor({ runtime, streams }: WorkerEnvironment, subject: string): string {
  const wire = runtime.naming.wire(subject);
  const spec = streams.find((candidate) =>
    candidate.subjects.some((filter) => subjectMatches(runtime.naming.wire(filter), wire)),
  );
  if (!spec) {
    throw new MessagingError(
      "NO_STREAM_FOR_SUBJECT",
      `No declared stream captures subject "${subject}"; add it to the streams of service ${runtime.service}.`,
    );
  }
  return runtime.naming.streamName(spec.name);
}
