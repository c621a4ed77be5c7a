import type { JsMsg } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { BaseRpcContext } from "@nestjs/microservices";
import { type InboxKey, type RunOnceResult, runOnce } from "./inbox.js";
import type { SqlExecutor } from "./sql-executor.js";
import type { TransactionRunner } from "./transactions.js";

/**
 * The transaction a batch of deliveries shares; runOnce joins it instead of
 * opening its own. `claimed` holds the event ids whose inbox rows the batch
 * inserted up front; the first runOnce of such an event takes its claim.
 */
export type SharedTransaction = { tx: unknown; sql: SqlExecutor; claimed: Set<string> };

/** What the transport hands a handler's context about one delivery. */
export type JetStreamContextFields = {
  message: JsMsg;
  /** The logical subject (without prefix). */
  subject: string;
  eventId: string;
  /** The durable consumer name. */
  consumer: string;
  transactions: TransactionRunner<unknown>;
  /** The schema holding the inbox; undefined to use search_path. */
  schema: string | undefined;
  /** Set when the delivery is handled in a transaction shared with others. */
  shared: SharedTransaction | undefined;
};

/**
 * What a JetStream event handler gets besides its payload (`@Ctx()`): the
 * delivery, and `runOnce` to apply the handler's effect exactly once.
 */
export class JetStreamContext<Tx = unknown> extends BaseRpcContext<[JetStreamContextFields]> {
  /** The error thrown inside runOnce, kept because Nest's filters may replace what reaches the transport. */
  failure: unknown;

  constructor(private readonly fields: JetStreamContextFields) {
    super([fields]);
  }

  /** The logical subject (without prefix). */
  getSubject(): string {
    return this.fields.subject;
  }

  /** The event id: the inbox key, the same on every delivery and replay. */
  getEventId(): string {
    return this.fields.eventId;
  }

  /** The durable consumer name. */
  getConsumer(): string {
    return this.fields.consumer;
  }

  /** 1 on the first delivery. */
  getDeliveryCount(): number {
    return this.fields.message.info.deliveryCount;
  }

  getHeaders(): MsgHdrs | undefined {
    return this.fields.message.headers;
  }

  getMessage(): JsMsg {
    return this.fields.message;
  }

  /**
   * Applies `effect` and records this event in the inbox in one transaction;
   * on a redelivery of an event already processed it runs nothing. The
   * transport acknowledges the message only after the handler returns, so
   * after this commit.
   */
  async runOnce<T>(effect: (tx: Tx, sql: SqlExecutor) => Promise<T>): Promise<RunOnceResult<T>> {
    const key: InboxKey = {
      consumer: this.getConsumer(),
      eventId: this.getEventId(),
      subject: this.getSubject(),
      schema: this.fields.schema,
    };
    const shared = this.fields.shared;
    try {
      if (!shared) return await runOnce(this.fields.transactions as TransactionRunner<Tx>, key, effect);
      if (!shared.claimed.delete(key.eventId)) return { applied: false };
      return { applied: true, result: await effect(shared.tx as Tx, shared.sql) };
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }
}
