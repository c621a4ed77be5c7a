import { type Consumer, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import type { Pool } from "pg";
import { eventStreams } from "@voltstack/events";
import {
  durableName,
  ensureConsumer,
  ensureStreams,
  pgExecutor,
  recordDeadLetter,
  SubjectNaming,
} from "@voltstack/messaging";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";
import { NATS_CONNECTION, parseConsumedEvent } from "@voltstack/chain-sync";
import { sampleWindowRefusal } from "./sample-window.js";
import { TELEMETRY_POOL } from "./telemetry-pool.js";
import { TELEMETRY_CHANNELS, TelemetryRepository } from "./telemetry-repository.js";
import { MinuteSlotBuffer } from "./telemetry-slots.js";
import { telemetrySlots } from "./usecases/ingest-telemetry.usecase.js";

export const TELEMETRY_SUBJECT = "telemetry.reported";
// A fetch returns when the batch is full or after this long with what arrived.
const FETCH_EXPIRES_MS = 1_000;
// The server redelivers a batch not acknowledged within this (a process that died mid-batch).
const ACK_WAIT_MS = 30_000;
// Pauses between attempts after NATS or PostgreSQL failed: doubling from the first to the last.
const RETRY_BACKOFF = { firstMs: 250, maxMs: 5_000 } as const;

type Refused = { message: JsMsg; code: string; reason: string };

function backoffMs(attempt: number): number {
  return Math.min(RETRY_BACKOFF.maxMs, RETRY_BACKOFF.firstMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Consumes telemetry.reported in batches: one fetch of up to TELEMETRY_FETCH_BATCH messages,
 * one INSERT ... ON CONFLICT merging all their samples, then every message acknowledged. No
 * inbox: the merge is idempotent, so a redelivered batch writes the same slots again, and an
 * inbox row per message (500 a second at full load) would outgrow the telemetry itself.
 * A message that can never be stored (not the event's schema, an envelope facilityId other
 * than the payload's, a facility the read model does not know, samples outside the window)
 * goes to the dead-letter store and is terminated; the rest of its batch is stored. While
 * NATS or PostgreSQL fail, the batch is handed back (nak) and the loop retries with backoff.
 */
@Injectable()
export class TelemetryConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger("TelemetryConsumer");
  private readonly naming: SubjectNaming;
  private readonly durable = durableName("grid", TELEMETRY_SUBJECT);
  /** Facilities found in the read model; an enrolment is never deleted, so they stay known. */
  private readonly knownFacilities = new Set<number>();
  private stopping = false;
  private stopFetch: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(TELEMETRY_POOL) private readonly pool: Pool,
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    this.naming = new SubjectNaming(config.SUBJECT_PREFIX);
    hooks.register("telemetry consumer", () => this.stop(), "intake");
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /** Stops fetching and waits for the batch in hand to be stored and acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopFetch?.();
    await this.running;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopping;) {
      try {
        const consumer = await this.declare();
        if (failures > 0) this.logger.log(`${this.durable} fetching again after ${failures} failed attempts`);
        failures = 0;
        await this.consume(consumer);
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        if (failures === 1) this.logger.warn(`${this.durable} stopped (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, backoffMs(failures)));
      }
    }
  }

  /** The stream and durable pull consumer, declared (again) as the other consumers are. */
  private async declare(): Promise<Consumer> {
    const jsm = await jetstreamManager(this.nats);
    await ensureStreams(jsm, this.naming, [eventStreams.TELEMETRY]);
    const stream = this.naming.streamName(eventStreams.TELEMETRY.name);
    await ensureConsumer(jsm, this.nats, {
      stream,
      durable: this.durable,
      filterSubject: this.naming.wire(TELEMETRY_SUBJECT),
      description: `grid storing ${TELEMETRY_SUBJECT} in batches`,
      ackWaitMs: ACK_WAIT_MS,
      // Two batches: the one being stored and the next being fetched.
      maxAckPending: 2 * this.config.TELEMETRY_FETCH_BATCH,
      metadata: { service: "grid", subject: TELEMETRY_SUBJECT },
    });
    return jetstream(this.nats).consumers.get(stream, this.durable);
  }

  /** Stores each batch while the next one is being fetched. */
  private async consume(consumer: Consumer): Promise<void> {
    let next = this.fetch(consumer);
    try {
      while (!this.stopping) {
        const batch = await next;
        next = this.fetch(consumer);
        if (batch.length > 0) await this.handle(batch);
      }
    } finally {
      // What the last fetch brought after the stop goes back at once, for another replica.
      void next.then(
        (batch) => batch.forEach((message) => message.nak()),
        () => undefined,
      );
    }
  }

  private async fetch(consumer: Consumer): Promise<JsMsg[]> {
    const messages = await consumer.fetch({
      max_messages: this.config.TELEMETRY_FETCH_BATCH,
      expires: FETCH_EXPIRES_MS,
    });
    this.stopFetch = () => void messages.stop();
    const batch: JsMsg[] = [];
    for await (const message of messages) batch.push(message);
    this.stopFetch = undefined;
    return batch;
  }

  /** Stores a batch; on a database failure hands it back and waits until the database answers. */
  private async handle(batch: JsMsg[]): Promise<void> {
    try {
      const refused = await this.store(batch);
      if (refused.length > 0) await this.deadLetter(refused);
      const refusedSet = new Set(refused.map((entry) => entry.message));
      for (const message of batch)
        if (refusedSet.has(message)) message.term();
        else message.ack();
    } catch (error) {
      for (const message of batch) message.nak(RETRY_BACKOFF.firstMs);
      this.logger.warn(`storing ${batch.length} telemetry messages failed (${(error as Error).message}); handed back`);
      await this.untilDatabaseAnswers();
    }
  }

  /** Merges the batch's valid messages in one statement; returns those refused. */
  private async store(batch: JsMsg[]): Promise<Refused[]> {
    const refused: Refused[] = [];
    const valid: { message: JsMsg; facilityId: number; samples: { at: string; powerW: number }[] }[] = [];
    const now = new Date();
    for (const message of batch) {
      let input: unknown;
      try {
        input = JSON.parse(new TextDecoder().decode(message.data));
      } catch (error) {
        // The same code the shared transport gives a body that is not JSON.
        refused.push({ message, code: "PAYLOAD_NOT_JSON", reason: `The message body is not JSON: ${String(error)}` });
        continue;
      }
      try {
        const { payload } = parseConsumedEvent(TELEMETRY_SUBJECT, input);
        const window = sampleWindowRefusal(
          payload.samples.map((sample) => Date.parse(sample.at)),
          now,
          this.config.TELEMETRY_RETENTION_DAYS,
        );
        if (window) refused.push({ message, code: window.code, reason: window.message });
        else valid.push({ message, facilityId: payload.facilityId, samples: payload.samples });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        refused.push({
          message,
          code: typeof code === "string" ? code : "EVENT_INVALID",
          reason: (error as Error).message,
        });
      }
    }
    const unknown = [...new Set(valid.map((entry) => entry.facilityId))].filter((id) => !this.knownFacilities.has(id));
    for (const id of await this.telemetry.knownFacilities(unknown)) this.knownFacilities.add(id);
    const buffer = new MinuteSlotBuffer(TELEMETRY_CHANNELS);
    for (const entry of valid) {
      if (!this.knownFacilities.has(entry.facilityId)) {
        refused.push({
          message: entry.message,
          code: "FACILITY_NOT_FOUND",
          reason: `Facility ${entry.facilityId} has neither enrolled in a program nor accepted a service request this service knows; its telemetry is not kept.`,
        });
      } else {
        telemetrySlots(buffer, entry.facilityId, entry.samples);
      }
    }
    await this.telemetry.mergeTelemetry(buffer.rows());
    return refused;
  }

  private async deadLetter(refused: Refused[]): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      for (const { message, code, reason } of refused) {
        const headers: Record<string, string> = {};
        for (const key of message.headers?.keys() ?? []) headers[key] = message.headers!.get(key);
        await recordDeadLetter(
          pgExecutor(client),
          {
            consumer: this.durable,
            eventId: headers["Nats-Msg-Id"] || `${message.info.stream}:${message.seq}`,
            subject: this.naming.logical(message.subject),
            stream: message.info.stream,
            streamSeq: message.seq,
            payload: message.data,
            headers,
            errorCode: code,
            errorMessage: reason,
            deliveries: message.info.deliveryCount,
          },
          this.config.GRID_SCHEMA,
        );
      }
      await client.query("COMMIT");
    } catch (error) {
      // A connection that cannot even roll back is dropped from the pool.
      await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async untilDatabaseAnswers(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
        await this.pool.query("SELECT 1");
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      }
    }
  }
}
