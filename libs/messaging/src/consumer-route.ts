import type { JsMsg } from "@nats-io/jetstream";
import type { MessageHandler } from "@nestjs/microservices";
import type { ResolvedConsumerOptions } from "./consumer-options.js";

/** A message as received: where it came from and the event it carries, before its payload is read. */
export type ReceivedDelivery = { message: JsMsg; subject: string; eventId: string };

/** A received message whose payload was read as JSON. */
export type Delivery = ReceivedDelivery & { data: unknown };

/** A delivery received and not yet settled; `startedAt` once its handler runs. */
export type Held = { receivedAt: number; startedAt?: number };

/** One handler's durable consumer: the handler, its settings, and the deliveries it holds. */
export type Route = {
  handler: MessageHandler;
  durable: string;
  settings: ResolvedConsumerOptions;
  held: Map<JsMsg, Held>;
};
