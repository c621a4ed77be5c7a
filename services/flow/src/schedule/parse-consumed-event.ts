import { type DomainEvent, EventValidationError, type EventType, parseEvent } from "@voltstack/events";
import { NonRetryableError } from "@voltstack/messaging";

/** The event a handler consumes; one that breaks its schema is dead-lettered at once, never retried. */
export function parseConsumedEvent<T extends EventType>(type: T, data: unknown): DomainEvent<T> {
  try {
    return parseEvent(type, data);
  } catch (error) {
    if (error instanceof EventValidationError) throw new NonRetryableError("EVENT_INVALID", error.message);
    throw error;
  }
}
