import { type DomainEvent, EventValidationError, type EventType, parseEvent } from "@voltstack/events";
import { NonRetryableError } from "@voltstack/messaging";

/**
 * The event a consumer was handed, checked against the catalog's schema: one that breaks it
 * can never become valid by waiting, so it is dead-lettered at once (EVENT_INVALID, with the
 * schema's complaint) instead of being retried. Every consumer parses through here.
 */
export function parseConsumedEvent<T extends EventType>(type: T, data: unknown): DomainEvent<T> {
  try {
    return parseEvent(type, data);
  } catch (error) {
    if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
    throw error;
  }
}
