import { z } from "zod";
import { eventCatalog, type EventType } from "./catalog.js";
import { deadLetterSchema } from "./dead-letter.js";
import { eventEnvelopeSchema } from "./envelope.js";

export type JsonSchema = Record<string, unknown>;

// Draft 7 is what AsyncAPI 3's default schema format extends. The input side of
// each schema is what travels: micro-STX amounts are strings there.
function toJsonSchema(schema: z.ZodType): JsonSchema {
  const jsonSchema = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as JsonSchema;
  delete jsonSchema.$schema;
  return jsonSchema;
}

/** JSON Schema of the payload of `type`, as it travels. */
export function payloadJsonSchema(type: EventType): JsonSchema {
  return toJsonSchema(eventCatalog[type].payload);
}

/** JSON Schema of the envelope every event shares, payload left open. */
export function envelopeJsonSchema(): JsonSchema {
  return toJsonSchema(eventEnvelopeSchema);
}

export function deadLetterJsonSchema(): JsonSchema {
  return toJsonSchema(deadLetterSchema);
}
