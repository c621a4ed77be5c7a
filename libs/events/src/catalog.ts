import type { z } from "zod";
import { capacityTrackingEvents } from "./contract-derived/capacity-tracking-events.js";
import { chargeDischargeEvents } from "./contract-derived/charge-discharge-events.js";
import { facilityRegistryEvents } from "./contract-derived/facility-registry-events.js";
import { gridServicesEvents } from "./contract-derived/grid-services-events.js";
import { revenueSharingEvents } from "./contract-derived/revenue-sharing-events.js";
import { externalInputs } from "./external-inputs/external-inputs.js";
import type { ContractName } from "./event-definition.js";
import { chainEvents } from "./service-decided/chain-sync-events.js";
import { flowEvents } from "./service-decided/flow-events.js";

/**
 * Every subject the system publishes or consumes, with its payload schema. The one source of truth.
 * By who decides them: contract-derived events restate a contract's print (`contract-derived/`),
 * service-decided ones are a service's own conclusion (`service-decided/`), external inputs come
 * from outside the system (`external-inputs/`). Listed in the order the AsyncAPI document keeps.
 */
export const eventCatalog = {
  ...facilityRegistryEvents,
  ...capacityTrackingEvents,
  ...chargeDischargeEvents,
  ...flowEvents,
  ...gridServicesEvents,
  ...revenueSharingEvents,
  ...chainEvents,
  ...externalInputs,
} as const;

export type EventCatalog = typeof eventCatalog;
/** A subject, which is also the event's `type`. */
export type EventType = keyof EventCatalog;
/** A payload as TypeScript sees it: micro-STX amounts are bigint. */
export type EventPayload<T extends EventType> = z.output<EventCatalog[T]["payload"]>;
/** A payload as it travels in JSON: micro-STX amounts are decimal strings. */
export type EventPayloadJson<T extends EventType> = z.input<EventCatalog[T]["payload"]>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventCatalog, value);
}

/**
 * The subject made from a contract's print event, or undefined when the topic
 * has no event of its own (revenue-paid prints are folded into
 * revenue.distributed, which lists every payment of the distribution).
 */
export function eventTypeForContractPrint(contract: ContractName, topic: string): EventType | undefined {
  return eventTypes.find((type) => {
    const origin = eventCatalog[type].origin;
    return origin.kind === "chain" && origin.contract === contract && origin.topic === topic;
  });
}
