import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  type StreamConfig,
  type StreamInfo,
  StorageType,
} from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { MessagingError } from "./errors.js";
import { serverAtLeast } from "./server-version.js";
import type { SubjectNaming } from "./subjects.js";

/** A stream declared in code. Subjects are logical; the naming adds the prefix. */
export type StreamSpec = {
  name: string;
  subjects: readonly string[];
  description?: string;
  /** How long a message is kept whether or not it was consumed. */
  maxAgeMs?: number;
  maxBytes?: number;
  maxMsgSize?: number;
  /** How long JetStream remembers a msgID to drop a re-published duplicate. */
  duplicateWindowMs?: number;
  replicas?: number;
  storage?: "file" | "memory";
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The reasoning behind each value is in libs/messaging/README.md ("Streams"). */
export const STREAM_DEFAULTS = {
  maxAgeMs: 7 * DAY_MS,
  maxBytes: 1024 * 1024 * 1024,
  maxMsgSize: 1024 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
  replicas: 1,
  storage: "file",
} as const satisfies Partial<StreamSpec>;

/** The stream that keeps `dlq.>` events; longer-lived, since operators act on them by hand. */
export function deadLetterStreamSpec(overrides: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name: "DLQ",
    subjects: ["dlq.>"],
    description: "Events a consumer gave up on, one subject per original subject",
    maxAgeMs: 30 * DAY_MS,
    ...overrides,
  };
}

/**
 * How many servers keep each stream: NATS_STREAM_REPLICAS (1 to 5, as the service kit's
 * configuration checks at start), else 1. Every service declares the streams it uses at
 * start and puts back what differs, so the setting must be the same for all of them: one
 * variable in the shared configuration, 3 on a three-server cluster.
 */
export function streamReplicas(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.NATS_STREAM_REPLICAS?.trim();
  if (!value) return STREAM_DEFAULTS.replicas;
  const replicas = Number(value);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new MessagingError("INVALID_STREAM_REPLICAS", `NATS_STREAM_REPLICAS must be 1 to 5, not "${value}".`);
  }
  return replicas;
}

function streamConfig(spec: StreamSpec, naming: SubjectNaming): Partial<StreamConfig> & { name: string } {
  const withDefaults = { ...STREAM_DEFAULTS, replicas: streamReplicas(), ...spec };
  return {
    name: naming.streamName(spec.name),
    subjects: spec.subjects.map((subject) => naming.wire(subject)),
    description: spec.description ?? "",
    retention: RetentionPolicy.Limits,
    storage: withDefaults.storage === "memory" ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(withDefaults.maxAgeMs),
    max_bytes: withDefaults.maxBytes,
    max_msg_size: withDefaults.maxMsgSize,
    max_msgs: -1,
    max_consumers: -1,
    duplicate_window: nanos(withDefaults.duplicateWindowMs),
    num_replicas: withDefaults.replicas,
  };
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

function sameSet(a: readonly string[] = [], b: readonly string[] = []): boolean {
  return a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);
}

/**
 * Creates each stream, or updates it when its declared limits changed; does
 * nothing for a stream already as declared, so every replica of every
 * service may run it at start-up. Returns what it did per stream.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  naming: SubjectNaming,
  specs: StreamSpec[],
): Promise<Record<string, "created" | "updated" | "unchanged">> {
  const outcome: Record<string, "created" | "updated" | "unchanged"> = {};
  for (const spec of specs) {
    const wanted = streamConfig(spec, naming);
    let current: StreamInfo | undefined;
    try {
      current = await jsm.streams.info(wanted.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) {
      await jsm.streams.add(wanted);
      outcome[wanted.name] = "created";
      continue;
    }
    const have = current.config;
    if (have.storage !== wanted.storage || have.retention !== wanted.retention) {
      throw new MessagingError(
        "STREAM_CONFIG_CONFLICT",
        `Stream ${wanted.name} exists with storage ${have.storage} and retention ${have.retention}, which cannot be changed in place; migrate it by hand.`,
      );
    }
    const differs =
      !sameSet(have.subjects, wanted.subjects) ||
      (have.description ?? "") !== wanted.description ||
      have.max_age !== wanted.max_age ||
      have.max_bytes !== wanted.max_bytes ||
      have.max_msg_size !== wanted.max_msg_size ||
      have.duplicate_window !== wanted.duplicate_window ||
      have.num_replicas !== wanted.num_replicas ||
      have.discard !== wanted.discard;
    if (differs) {
      await jsm.streams.update(wanted.name, {
        subjects: wanted.subjects,
        description: wanted.description,
        discard: wanted.discard,
        max_age: wanted.max_age,
        max_bytes: wanted.max_bytes,
        max_msg_size: wanted.max_msg_size,
        max_msgs: wanted.max_msgs,
        duplicate_window: wanted.duplicate_window,
        num_replicas: wanted.num_replicas,
      });
      outcome[wanted.name] = "updated";
    } else {
      outcome[wanted.name] = "unchanged";
    }
  }
  return outcome;
}

/** A durable pull consumer declared in code. */
export type ConsumerSpec = {
  stream: string;
  durable: string;
  filterSubject: string;
  description: string;
  /** How long the server waits for an ack before redelivering (covers a crashed consumer). */
  ackWaitMs: number;
  /** How many messages may be delivered and not yet acknowledged. */
  maxAckPending: number;
  metadata?: Record<string, string>;
};

/**
 * Creates the durable consumer, or updates its editable settings when they
 * changed. Redelivery is bounded by the transport (max deliveries, then the
 * dead-letter store), so the server's max_deliver stays unlimited: a message
 * is never silently parked by the server when the dead-letter write fails.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  nc: NatsConnection,
  spec: ConsumerSpec,
): Promise<"created" | "updated" | "unchanged"> {
  const metadataSupported = serverAtLeast(nc, "2.10.0");
  const wanted: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    description: spec.description,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: spec.maxAckPending,
    ...(metadataSupported && spec.metadata ? { metadata: spec.metadata } : {}),
  };
  let current: ConsumerInfo | undefined;
  try {
    current = await jsm.consumers.info(spec.stream, spec.durable);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (!current) {
    await jsm.consumers.add(spec.stream, wanted);
    return "created";
  }
  const have = current.config;
  if (have.filter_subject !== wanted.filter_subject && !serverAtLeast(nc, "2.10.0")) {
    throw new MessagingError(
      "CONSUMER_CONFIG_CONFLICT",
      `Consumer ${spec.durable} on ${spec.stream} filters ${have.filter_subject ?? "nothing"}, not ${spec.filterSubject}; NATS before 2.10 cannot change that in place.`,
    );
  }
  const differs =
    have.filter_subject !== wanted.filter_subject ||
    (have.description ?? "") !== wanted.description ||
    have.ack_wait !== wanted.ack_wait ||
    have.max_deliver !== wanted.max_deliver ||
    have.max_ack_pending !== wanted.max_ack_pending;
  if (!differs) return "unchanged";
  await jsm.consumers.update(spec.stream, spec.durable, {
    description: wanted.description,
    filter_subject: wanted.filter_subject,
    ack_wait: wanted.ack_wait,
    max_deliver: wanted.max_deliver,
    max_ack_pending: wanted.max_ack_pending,
    ...(wanted.metadata ? { metadata: wanted.metadata } : {}),
  });
  return "updated";
}
