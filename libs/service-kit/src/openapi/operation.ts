import { applyDecorators, HttpStatus, RequestMethod } from "@nestjs/common";
import { HTTP_CODE_METADATA, METHOD_METADATA } from "@nestjs/common/constants.js";
import { ApiExtension, ApiOperation, ApiProduces, ApiResponse } from "@nestjs/swagger";
import { z } from "zod";

/**
 * The refusals a piece of code can answer with: each machine-readable code and its HTTP
 * status (or statuses, when the cause decides: a node's refusal is the caller's 422 or the
 * node's 502).
 */
export type Refusals = Readonly<Record<string, number | readonly number[]>>;

/**
 * Operation extensions whose name starts with this hold refusal tables; the document builder
 * turns them into responses and removes them. Each source of refusals has its own extension
 * (`x-refusals`, `x-refusals-roles`, ...) because one extension name holds one value.
 */
export const REFUSALS_EXTENSION = "x-refusals";

export interface OperationDoc {
  /** One line saying what the operation does, as the document's operation list shows it. */
  summary: string;
  description?: string;
  /** The body of the success answer; `null` when it answers none. */
  answers: z.ZodType | null;
  /** The media type of the success answer, when it is not JSON. */
  produces?: string;
  /** Other representations of the success answer the client may ask for, by media type. */
  alternatives?: Readonly<Record<string, z.ZodType>>;
  /** What the operation's own code refuses with, beyond what the document builder adds for every route. */
  refuses?: readonly Refusals[];
}

/**
 * Documents a route: its summary, its success answer under the status the route answers
 * with, and the refusals its handler and use case throw (declared where they are thrown,
 * as a table the use case exports, or here). Put it above the route decorator: it reads
 * the method and @HttpCode they set.
 */
export function Operation(doc: OperationDoc): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined)
      throw new Error(`@Operation on ${String(key)} must come above the route decorator (@Get, @Post, ...).`);
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
      (method === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
    const decorators = [
      ApiOperation({ summary: doc.summary, ...(doc.description ? { description: doc.description } : {}) }),
      ApiResponse({ status, description: "Success", ...successBody(doc) }),
    ];
    if (doc.produces) decorators.push(ApiProduces(doc.produces));
    if (doc.refuses?.length) decorators.push(ApiExtension(REFUSALS_EXTENSION, mergeRefusals(...doc.refuses)));
    applyDecorators(...decorators)(target, key, descriptor);
  };
}

function successBody(doc: OperationDoc) {
  if (!doc.answers) return {};
  if (!doc.alternatives) return { schema: answerSchemaOf(doc.answers) as never };
  const representations = { [doc.produces ?? "application/json"]: doc.answers, ...doc.alternatives };
  return {
    content: Object.fromEntries(
      Object.entries(representations).map(([mediaType, schema]) => [mediaType, { schema: answerSchemaOf(schema) }]),
    ) as never,
  };
}

/** Several refusal tables as one: each code with every status any of them gives it. */
export function mergeRefusals(...tables: readonly Refusals[]): Record<string, number[]> {
  const merged: Record<string, number[]> = {};
  for (const table of tables) {
    for (const [code, statuses] of Object.entries(table)) {
      merged[code] = [...new Set([...(merged[code] ?? []), ...[statuses].flat()])];
    }
  }
  return merged;
}

/** The JSON Schema (OpenAPI 3.0 dialect) of what a service answers with for `schema`. */
export function answerSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema: Record<string, unknown> = z.toJSONSchema(schema, { io: "output", target: "openapi-3.0" });
  delete jsonSchema.$schema;
  return jsonSchema;
}
