import { isEventType, type EventType } from "./catalog.js";
import { eventSchema, type DomainEvent } from "./envelope.js";
import { EventValidationError } from "./event-validation-error.js";

/**
 * Validates an incoming event (already JSON-decoded) against the schema of
 * `type`, the subject it arrived on. Returns it typed, micro-STX as bigint;
 * throws EventValidationError.
 */
export function parseEvent<T extends EventType>(type: T, input: unknown): DomainEvent<T> {
  if (!isEventType(type)) {
    throw new EventValidationError(String(type), [
      { code: "custom", path: ["type"], message: `unknown event type "${String(type)}"`, input: type },
    ]);
  }
  const result = eventSchema(type).safeParse(input);
  if (!result.success) throw new EventValidationError(type, result.error.issues);
  return result.data as DomainEvent<T>;
}

/** parseEvent for raw message data: JSON text or its UTF-8 bytes. */
export function decodeEvent<T extends EventType>(type: T, data: string | Uint8Array): DomainEvent<T> {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new EventValidationError(type, [
      { code: "custom", path: [], message: `not JSON: ${(error as Error).message}`, input: text },
    ]);
  }
  return parseEvent(type, input);
}
