import type { JsMsg } from "@nats-io/jetstream";
import type { Delivery, ReceivedDelivery, Route } from "./consumer-route.js";
import { recordDeadLetter } from "./dead-letters.js";
import type { HandlerFailure } from "./errors.js";
import { eventsConsumed, eventsDeadLettered, eventsRetried } from "./metrics.js";
import { retryDelayMs } from "./retry-policy.js";
import type { TransportRuntime } from "./transport-runtime.js";

/** How a delivery ends: acknowledged, redelivered after a delay, or dead-lettered and terminated. */
export class DeliverySettlement {
  constructor(private readonly transport: TransportRuntime) {}

  acknowledge({ message, subject }: Delivery, route: Route): void {
    this.settle(message, route, () => message.ack());
    eventsConsumed.inc({ subject, consumer: route.durable });
  }

  /** Redelivery after the route's backoff for this delivery count. */
  retryLater({ message, subject }: Delivery, route: Route): void {
    const { durable, settings } = route;
    this.settle(message, route, () => message.nak(retryDelayMs(settings.backoff, message.info.deliveryCount)));
    eventsRetried.inc({ subject, consumer: durable });
  }

  async deadLetter(
    { message, subject, eventId }: ReceivedDelivery,
    failure: HandlerFailure,
    route: Route,
  ): Promise<void> {
    const { durable, settings } = route;
    const headers: Record<string, string> = {};
    for (const key of message.headers?.keys() ?? []) headers[key] = message.headers!.get(key);
    try {
      await this.transport.transactions.transaction((_tx, sql) =>
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
          this.transport.schema,
        ),
      );
    } catch (error) {
      // The store is unreachable: keep the message in JetStream and try again later.
      if (!this.transport.isClosing()) this.transport.onError(error);
      this.settle(message, route, () => message.nak(retryDelayMs(settings.backoff, message.info.deliveryCount)));
      return;
    }
    this.settle(message, route, () => message.term());
    eventsDeadLettered.inc({ subject, consumer: durable });
  }

  /** Acks and naks are fire-and-forget; on a closed connection the server redelivers after ack wait. */
  settle(message: JsMsg, route: Route, action: () => void): void {
    route.held.delete(message);
    try {
      action();
    } catch (error) {
      if (!this.transport.isClosing()) this.transport.onError(error);
    }
  }
}
