import type { OpenAPIObject, OperationObject, ResponseObject } from "@nestjs/swagger";
import { z } from "zod";

/** One HTTP exchange as a client saw it. */
export interface ObservedAnswer {
  method: string;
  /** The request path, with or without its query string. */
  path: string;
  status: number;
  /** The parsed JSON body, or the text of a body that is not JSON. */
  body: unknown;
  /** The answer's media type, e.g. application/json. */
  contentType?: string;
}

// Routes no service declares but every one answers: Nest's own 404 for an unknown path.
const UNROUTED_STATUSES = new Set([404]);

const compiled = new WeakMap<object, z.ZodType>();

/**
 * Why `answer` is not what the service's OpenAPI document promises for that operation, or
 * undefined when it is: the status is documented for the operation, a refusal's code is
 * one listed under that status, and the body matches the documented schema.
 */
export function undocumentedAnswer(document: OpenAPIObject, answer: ObservedAnswer): string | undefined {
  const method = answer.method.toLowerCase();
  const path = answer.path.split("?")[0]!;
  const found = operationFor(document, method, path);
  const said = `${answer.method.toUpperCase()} ${path} answered ${answer.status}`;
  if (!found) {
    return UNROUTED_STATUSES.has(answer.status) ? undefined : `${said}, but the document has no such operation`;
  }
  const response = found.operation.responses[String(answer.status)] as ResponseObject | undefined;
  if (!response) {
    const documented = Object.keys(found.operation.responses).join(", ");
    return `${said}, a status ${found.template} does not document (it documents ${documented})`;
  }
  const content = response.content ?? {};
  const mediaType = Object.keys(content).find((type) => answer.contentType?.startsWith(type)) ?? "application/json";
  const schema = content[mediaType]?.schema;
  if (!schema) {
    const empty = answer.body === undefined || answer.body === "" || isEmptyObject(answer.body);
    return empty || mediaType !== "application/json"
      ? undefined
      : `${said} with a body, but ${found.template} documents none for ${answer.status}`;
  }
  const result = validatorOf(schema).safeParse(answer.body);
  if (result.success) return undefined;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
  return `${said} with a body ${found.template} does not document for ${answer.status}: ${problems}\n${JSON.stringify(answer.body).slice(0, 1000)}`;
}

function operationFor(
  document: OpenAPIObject,
  method: string,
  path: string,
): { template: string; operation: OperationObject } | undefined {
  let best: { template: string; operation: OperationObject; literals: number } | undefined;
  for (const [template, item] of Object.entries(document.paths)) {
    const operation = (item as Record<string, OperationObject | undefined>)[method];
    if (!operation || !matches(template, path)) continue;
    // A literal segment beats a parameter: /programs/sweep over /programs/{id}.
    const literals = template.split("/").filter((segment) => !segment.startsWith("{")).length;
    if (!best || literals > best.literals) best = { template, operation, literals };
  }
  return best && { template: `${method.toUpperCase()} ${best.template}`, operation: best.operation };
}

function matches(template: string, path: string): boolean {
  const expected = template.split("/");
  const actual = path.split("/");
  return (
    expected.length === actual.length &&
    expected.every((segment, index) => segment.startsWith("{") || segment === actual[index])
  );
}

function validatorOf(schema: object): z.ZodType {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema, { defaultTarget: "openapi-3.0" });
    compiled.set(schema, validator);
  }
  return validator;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}
