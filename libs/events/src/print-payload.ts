import type { ZodType } from "zod";
import { eventCatalog, type EventPayload, type EventType } from "./catalog.js";
import { EventValidationError } from "./event-validation-error.js";

// Clarity uints arrive as bigint (or number, or digit strings): micro-STX stay
// decimal strings, everything else becomes a number for the schema to check.
function convert(value: unknown, key: string, renames: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(item, key, renames));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([field, item]) => {
        const name = renames[field] ?? field;
        return [name, convert(item, name, renames)];
      }),
    );
  }
  if (typeof value === "bigint") {
    return key.endsWith("Ustx")
      ? value.toString()
      : value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
  }
  if (typeof value === "number" && key.endsWith("Ustx")) return String(value);
  return value;
}

/**
 * The payload of `type` from its contract's print as @voltstack/chain decodes it
 * (a PrintEvent's payload: camelCase keys, micro-STX fields ending in `Ustx`, uints
 * as bigint); `topic` is ignored. For revenue.distributed, pass the revenue-paid
 * prints of the same transaction as `payments`. Throws EventValidationError.
 */
export function payloadFromPrint<T extends EventType>(
  type: T,
  print: Readonly<Record<string, unknown>>,
): EventPayload<T> {
  const definition = eventCatalog[type];
  if (definition?.origin.kind !== "chain") {
    throw new EventValidationError(String(type), [
      {
        code: "custom",
        path: ["type"],
        message: `${String(type)} is not made from a contract print event`,
        input: type,
      },
    ]);
  }
  const candidate = convert(print, "", definition.origin.renames ?? {});
  const result = (definition.payload as ZodType).safeParse(candidate);
  if (!result.success)
    throw new EventValidationError(
      type,
      result.error.issues.map((issue) => ({ ...issue, path: ["payload", ...issue.path] })),
    );
  return result.data as EventPayload<T>;
}
