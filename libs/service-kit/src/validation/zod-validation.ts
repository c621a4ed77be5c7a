import { Body, Param, type PipeTransform, Query } from "@nestjs/common";
import { ApiBody, ApiParam, ApiQuery } from "@nestjs/swagger";
import { z } from "zod";
import { ApiError } from "../errors/api-error.js";
import type { Refusals } from "../openapi/operation.js";

/** What every route with a validated body, path or query refuses with. */
export const VALIDATION_REFUSALS: Refusals = { VALIDATION_FAILED: 400 };

export interface ValidationIssue {
  /** Where in the input, e.g. "amountUstx" or "shares.2.shareBps". */
  path: string;
  /** zod's issue code, e.g. "invalid_type", "too_big". */
  code: string;
  message: string;
  /** The bound a number broke (too_small), as a decimal string when it is a bigint. */
  minimum?: number | string;
  /** The bound a number broke (too_big), as a decimal string when it is a bigint. */
  maximum?: number | string;
  /** The number that broke it. */
  received?: number | string;
}

/** Parses input with a zod schema; anything that does not fit is a 400 VALIDATION_FAILED. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: "body" | "query" | "path" = "body",
  ) {}

  transform(received: unknown): z.output<S> {
    // A POST that needs no body may come without one: an absent body reads as the empty object.
    const value = received === undefined && this.part === "body" ? {} : received;
    const nul = pathOfNulCharacter(value);
    if (nul !== undefined) {
      // PostgreSQL's text cannot hold U+0000: such input would fail deep inside a write (or stall
      // the follower that copies a chain string into the read model), so no route takes it.
      const issue = { path: nul, code: "nul_character", message: "must not contain the NUL character (U+0000)" };
      throw ApiError.badRequest("VALIDATION_FAILED", `The request ${this.part} is invalid: ${issue.message}.`, {
        issues: [issue],
      });
    }
    const result = this.schema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    const issues = result.error.issues.map(toValidationIssue);
    const summary = issues
      .slice(0, 3)
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join("; ");
    throw ApiError.badRequest("VALIDATION_FAILED", `The request ${this.part} is invalid: ${summary}.`, { issues });
  }
}

/** Where the first string (key or value) holding U+0000 sits in `value`, or undefined. */
function pathOfNulCharacter(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key].join(".");
    const found = pathOfNulCharacter(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function toValidationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const described: ValidationIssue = {
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  };
  // A number out of its column's or type's range: the bound and the figure, so a client sees both.
  if (
    (issue.code === "too_big" || issue.code === "too_small") &&
    (issue.origin === "number" || issue.origin === "bigint")
  ) {
    if (issue.code === "too_big") described.maximum = jsonNumber(issue.maximum);
    else described.minimum = jsonNumber(issue.minimum);
    if (typeof issue.input === "number" || typeof issue.input === "bigint")
      described.received = jsonNumber(issue.input);
  }
  return described;
}

function jsonNumber(value: number | bigint): number | string {
  return typeof value === "bigint" ? value.toString() : value;
}

/** The JSON Schema (OpenAPI 3.0 dialect) of what a client sends for `schema`. */
export function openApiSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema: Record<string, unknown> = z.toJSONSchema(schema, {
    io: "input",
    target: "openapi-3.0",
    unrepresentable: "any",
  });
  // OpenAPI embeds schemas; a $schema dialect marker inside is invalid there.
  delete jsonSchema.$schema;
  return jsonSchema;
}

// Parameter decorators that also document the parameter in OpenAPI.
function documented(paramDecorator: ParameterDecorator, methodDecorator: MethodDecorator): ParameterDecorator {
  return (target, key, index) => {
    paramDecorator(target, key, index);
    if (key !== undefined) methodDecorator(target, key, Object.getOwnPropertyDescriptor(target, key)!);
  };
}

/** The request body, validated by `schema`; a body whose every field is optional may be left out. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return documented(
    Body(new ZodValidationPipe(schema, "body")),
    ApiBody({ schema: openApiSchemaOf(schema) as never, required: !schema.safeParse({}).success }),
  );
}

/** The query string, validated by an object `schema`. */
export function ZodQuery(schema: z.ZodObject): ParameterDecorator {
  const shape = schema.shape as Record<string, z.ZodType>;
  const docs = Object.entries(shape).map(([name, field]) =>
    ApiQuery({ name, required: !field.safeParse(undefined).success, schema: openApiSchemaOf(field) as never }),
  );
  return documented(Query(new ZodValidationPipe(schema, "query")), (target, key, descriptor) => {
    for (const doc of docs) doc(target, key, descriptor);
  });
}

/** One path parameter, validated by `schema`. */
export function ZodParam(name: string, schema: z.ZodType): ParameterDecorator {
  return documented(
    Param(name, new ZodValidationPipe(schema, "path")),
    ApiParam({ name, schema: openApiSchemaOf(schema) as never }),
  );
}
