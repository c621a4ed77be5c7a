import type { JsMsg } from "@nats-io/jetstream";
import type { MessageHandler } from "@nestjs/microservices";
import type { Delivery, Route } from "./consumer-route.js";
import type { DatabaseAvailability } from "./database-availability.js";
import { EVENT_ID_HEADER } from "./dead-letters.js";
import type { DeliverySettlement } from "./delivery-settlement.js";
import { type HandlerFailure, toHandlerFailure } from "./errors.js";
import { claimInboxEntries } from "./inbox.js";
import { JetStreamContext, type SharedTransaction } from "./jetstream-context.js";
import { recordSpanFailure, withProcessSpan } from "./trace-propagation.js";
import type { TransportRuntime } from "./transport-runtime.js";

/** Calls a Nest handler with its payload and context; resolves or rejects with the handler's outcome. */
export type HandlerInvoker = (handler: MessageHandler, data: unknown, context: JetStreamContext) => Promise<void>;

const utf8 = new TextDecoder();

/**
 * Runs handlers on batches of deliveries: alone, or together in one shared transaction,
 * and decides from the outcome whether each is acknowledged, retried or dead-lettered.
 */
export class DeliveryHandling {
  private readonly invoke: HandlerInvoker;
  private readonly settlement: DeliverySettlement;
  private readonly database: DatabaseAvailability;

  constructor(
    private readonly transport: TransportRuntime,
    parts: { invoke: HandlerInvoker; settlement: DeliverySettlement; database: DatabaseAvailability },
  ) {
    this.invoke = parts.invoke;
    this.settlement = parts.settlement;
    this.database = parts.database;
  }

  /** Dead-letters what can never succeed, then handles the rest alone or in one shared transaction. */
  async handleBatch(messages: JsMsg[], route: Route): Promise<void> {
    const startedAt = Date.now();
    for (const message of messages) route.held.set(message, { ...route.held.get(message)!, startedAt });
    const ready: Delivery[] = [];
    for (const message of messages) {
      const subject = this.transport.naming.logical(message.subject);
      const eventId = eventIdOf(message);
      const deliveryCount = message.info.deliveryCount;
      if (deliveryCount > route.settings.maxDeliver) {
        // Earlier deliveries ended without an outcome (the consumer died while handling it).
        const failure = {
          code: "MAX_DELIVERIES_EXCEEDED",
          message: `Delivered ${deliveryCount} times without completing.`,
          retryable: false,
        };
        await this.settlement.deadLetter({ message, subject, eventId }, failure, route);
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
        await this.settlement.deadLetter({ message, subject, eventId }, failure, route);
      }
    }
    if (ready.length === 1) await this.handleAlone(ready[0]!, route);
    else if (ready.length > 1) await this.handleTogether(ready, route);
  }

  private async handleTogether(deliveries: Delivery[], route: Route): Promise<void> {
    try {
      await this.transport.transactions.transaction(async (tx, sql) => {
        const claimed = await claimInboxEntries(sql, route.durable, deliveries, this.transport.schema);
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
    for (const delivery of deliveries) this.settlement.acknowledge(delivery, route);
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
      const back = await this.database.waitUntilAnswering();
      if (!back) {
        this.settlement.settle(delivery.message, route, () => delivery.message.nak());
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
            this.settlement.acknowledge(delivery, route);
            return false;
          }
          failure = toHandlerFailure(context.failure);
        } catch (error) {
          failure = toHandlerFailure(context.failure ?? error);
        }
        recordSpanFailure(span, `${failure.code}: ${failure.message}`);
        if (failure.retryable && !this.transport.isClosing() && !(await this.database.answers())) return true;
        if (failure.retryable && deliveryCount < settings.maxDeliver) {
          this.settlement.retryLater(delivery, route);
          return false;
        }
        await this.settlement.deadLetter(delivery, failure, route);
        return false;
      },
    );
  }

  private context(delivery: Delivery, durable: string, shared?: SharedTransaction): JetStreamContext {
    return new JetStreamContext({
      message: delivery.message,
      subject: delivery.subject,
      eventId: delivery.eventId,
      consumer: durable,
      transactions: this.transport.transactions,
      schema: this.transport.schema,
      shared,
    });
  }
}

/** The inbox key: the event id header, else the publisher's Nats-Msg-Id, else the stream position. */
function eventIdOf(message: JsMsg): string {
  const headers = message.headers;
  const explicit = headers?.has(EVENT_ID_HEADER) ? headers.get(EVENT_ID_HEADER) : "";
  if (explicit) return explicit;
  const msgId = headers?.has("Nats-Msg-Id") ? headers.get("Nats-Msg-Id") : "";
  return msgId || `${message.info.stream}:${message.seq}`;
}
