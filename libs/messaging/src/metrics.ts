import { Counter, Gauge, Histogram, type Metric, register } from "prom-client";

// Metrics live on prom-client's default registry, which the service exposes
// on /metrics. Each is created once per process, however many relays and
// servers run in it. Subject labels are logical subjects (no prefix), so
// their number is bounded by the event catalog.

function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

export const eventsPublished = once(
  "messaging_events_published_total",
  () =>
    new Counter({
      name: "messaging_events_published_total",
      help: "Events published to JetStream by the outbox relay, by subject.",
      labelNames: ["subject"],
    }),
);

export const eventsConsumed = once(
  "messaging_events_consumed_total",
  () =>
    new Counter({
      name: "messaging_events_consumed_total",
      help: "Deliveries handled successfully and acknowledged, by subject and consumer.",
      labelNames: ["subject", "consumer"],
    }),
);

export const eventsRetried = once(
  "messaging_events_retried_total",
  () =>
    new Counter({
      name: "messaging_events_retried_total",
      help: "Failed deliveries handed back for redelivery with a delay, by subject and consumer.",
      labelNames: ["subject", "consumer"],
    }),
);

export const eventsDeadLettered = once(
  "messaging_events_dead_lettered_total",
  () =>
    new Counter({
      name: "messaging_events_dead_lettered_total",
      help: "Events moved to the dead-letter store, by subject and consumer.",
      labelNames: ["subject", "consumer"],
    }),
);

/** Outbox backlog readers, one per running relay, read when metrics are scraped. */
export type OutboxBacklog = { schema: string; pending: number; oldestAgeSeconds: number };
const backlogSources = new Set<() => Promise<OutboxBacklog>>();

export function addBacklogSource(source: () => Promise<OutboxBacklog>): () => void {
  backlogSources.add(source);
  return () => backlogSources.delete(source);
}

async function readBacklogs(): Promise<OutboxBacklog[]> {
  const results = await Promise.allSettled([...backlogSources].map((source) => source()));
  return results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
}

export const outboxBacklog = once(
  "messaging_outbox_backlog",
  () =>
    new Gauge({
      name: "messaging_outbox_backlog",
      help: "Outbox rows not yet published, by schema.",
      labelNames: ["schema"],
      async collect() {
        this.reset();
        for (const backlog of await readBacklogs()) this.set({ schema: backlog.schema }, backlog.pending);
      },
    }),
);

export const outboxOldestAge = once(
  "messaging_outbox_oldest_age_seconds",
  () =>
    new Gauge({
      name: "messaging_outbox_oldest_age_seconds",
      help: "Age of the oldest unpublished outbox row (0 when none), by schema.",
      labelNames: ["schema"],
      async collect() {
        this.reset();
        for (const backlog of await readBacklogs()) this.set({ schema: backlog.schema }, backlog.oldestAgeSeconds);
      },
    }),
);

/** Consumer lag readers, one per running consumer, read when metrics are scraped. */
export type ConsumerLag = { stream: string; consumer: string; pending: number };
const lagSources = new Set<() => Promise<ConsumerLag>>();

export function addLagSource(source: () => Promise<ConsumerLag>): () => void {
  lagSources.add(source);
  return () => lagSources.delete(source);
}

export const consumerLag = once(
  "messaging_consumer_lag",
  () =>
    new Gauge({
      name: "messaging_consumer_lag",
      help: "Messages in the stream not yet delivered to the consumer (JetStream num_pending).",
      labelNames: ["stream", "consumer"],
      async collect() {
        this.reset();
        const results = await Promise.allSettled([...lagSources].map((source) => source()));
        for (const result of results) {
          if (result.status === "fulfilled")
            this.set({ stream: result.value.stream, consumer: result.value.consumer }, result.value.pending);
        }
      },
    }),
);

export const natsConnected = once(
  "messaging_nats_connected",
  () =>
    new Gauge({
      name: "messaging_nats_connected",
      help: "1 while the NATS connection is up, 0 while it is reconnecting or closed, by connection name.",
      labelNames: ["connection"],
    }),
);

export const natsReconnects = once(
  "messaging_nats_reconnects_total",
  () =>
    new Counter({
      name: "messaging_nats_reconnects_total",
      help: "Times the NATS connection came back after being lost, by connection name.",
      labelNames: ["connection"],
    }),
);

export const natsDisconnectDuration = once(
  "messaging_nats_disconnect_duration_seconds",
  () =>
    new Histogram({
      name: "messaging_nats_disconnect_duration_seconds",
      help: "How long each NATS outage lasted, from the lost connection to the reconnect, by connection name.",
      labelNames: ["connection"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 900],
    }),
);

export const consumerRestarts = once(
  "messaging_consumer_restarts_total",
  () =>
    new Counter({
      name: "messaging_consumer_restarts_total",
      help: "Times a consumer's fetch loop ended or stalled and was declared and started again, by consumer.",
      labelNames: ["consumer"],
    }),
);

export const outboxRelayFailing = once(
  "messaging_outbox_relay_failing",
  () =>
    new Gauge({
      name: "messaging_outbox_relay_failing",
      help: "1 while the outbox relay's batches fail (NATS or PostgreSQL unreachable), by schema.",
      labelNames: ["schema"],
    }),
);
