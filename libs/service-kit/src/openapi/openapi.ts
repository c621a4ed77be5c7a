import type { INestApplication } from "@nestjs/common";
import { PUBLIC_OPERATION_EXTENSION, ROLES_EXTENSION } from "../auth/auth-decorators.js";
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
  SwaggerModule,
} from "@nestjs/swagger";

import { BODY_REFUSALS, FAULT_REFUSALS } from "../errors/api-error-filter.js";
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH } from "../idempotency/idempotency-key.js";
import { IDEMPOTENCY_KEY_RETENTION_MS } from "../idempotency/idempotency-store.js";
import { VALIDATION_REFUSALS } from "../validation/zod-validation.js";
import { mergeRefusals, REFUSALS_EXTENSION, type Refusals } from "./operation.js";

export interface OpenApiOptions {
  title: string;
  version?: string;
  description?: string;
}

const MUTATING = ["post", "put", "patch", "delete"] as const;
const METHODS = ["get", "head", "options", ...MUTATING] as const;

/** What the authentication guard refuses any route with when an Authorization header is sent and is not valid. */
const CREDENTIAL_REFUSALS: Refusals = { UNAUTHENTICATED: 401, INVALID_CREDENTIALS: 401 };

/** What the idempotency interceptor refuses every write with (libs/service-kit/src/idempotency). */
const IDEMPOTENCY_REFUSALS: Refusals = {
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_STORE_UNAVAILABLE: 503,
};

/** Said in every document's description, once for all operations. */
const CONVENTIONS =
  "**Access.** Reads (GET) need no credentials unless they say otherwise; every write needs " +
  "`Authorization: Bearer <API key or JWT>` with the role it names. An operation marked public needs none.\n\n" +
  "**Refusals.** Every refusal answers `{ code, message, details }`: `code` is a stable machine-readable " +
  "constant (listed per status on each operation), `message` a sentence for people, `details` the figures behind " +
  "it or null.\n\n" +
  "**Numbers.** Energy (kWh), power (kW), prices per kWh, basis points, percentages, block heights and ids are " +
  "JSON integers (safe integers). Micro-STX amounts (fields ending in Ustx or MicroStx) are decimal strings, " +
  "because they can exceed 2^53: parse them as big integers. The events (docs/asyncapi.yaml) follow the same rule. " +
  "Settlement reports, a format hashed for verification (docs/settlement-reports.md), write every figure as a " +
  "decimal string.";

const PUBLIC_READ = "Public: needs no credentials.";

const IDEMPOTENCY_KEY_PARAMETER: ParameterObject = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: "header",
  required: false,
  description:
    "Makes the request safe to retry (draft-ietf-httpapi-idempotency-key-header), e.g. a UUID. A retry with the " +
    "same key and the same request gets the first answer (a write still confirming: 202, then its outcome); the " +
    "same key with another request is refused (422 IDEMPOTENCY_KEY_REUSED); while the first is still executing " +
    `409 IDEMPOTENCY_KEY_IN_USE. Keys are per caller and kept ${IDEMPOTENCY_KEY_RETENTION_MS / 3_600_000} hours.`,
  schema: { type: "string", minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
};

const PENDING_WRITE_RESPONSE = {
  description:
    "The transaction was broadcast and is not final yet: follow it at `poll` (also the Location header); a retry " +
    "with the same Idempotency-Key answers its outcome once known.",
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["txid", "status", "poll"],
        properties: {
          txid: { type: "string" },
          status: { type: "string", enum: ["pending"] },
          poll: { type: "string", example: "/transactions/0x…" },
        },
      },
    },
  },
};

const CONFIRMED_TRANSACTION = {
  type: "object",
  required: ["txid", "blockHeight"],
  additionalProperties: false,
  properties: { txid: { type: "string" }, blockHeight: { type: "integer" } },
};

/**
 * Builds the service's OpenAPI document: mutating operations are marked as needing a bearer
 * credential and take an Idempotency-Key; every operation lists each refusal it can give
 * under its status, from the refusal tables its decorators declare and those every route of
 * its kind shares (credentials, validation, reading the body, idempotency, faults).
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version ?? "1.0.0")
    .setDescription([options.description, CONVENTIONS].filter(Boolean).join("\n\n"))
    .addBearerAuth({
      type: "http",
      scheme: "bearer",
      description: "An API key or a JWT from the configured identity provider",
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) continue;
      const mutating = (MUTATING as readonly string[]).includes(method);
      if (mutating) {
        documentIdempotency(operation);
        if (!operation.security && !extensionsOf(operation)[PUBLIC_OPERATION_EXTENSION])
          operation.security = [{ bearer: [] }];
      }
      if (!operation.security?.length) operation.description = joined(PUBLIC_READ, operation.description);
      documentRefusals(operation, mutating);
    }
  }
  return document;
}

function documentIdempotency(operation: OperationObject): void {
  operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
  operation.responses["202"] ??= PENDING_WRITE_RESPONSE;
  documentConfirmedRetry(operation);
}

/**
 * A retry of a write that answered 202, once its transaction confirmed, answers 200 with the
 * transaction (the write's own answer was never produced): the 200 documents that body too.
 */
function documentConfirmedRetry(operation: OperationObject): void {
  const success = operation.responses["200"] as ResponseObject | undefined;
  const schema = success?.content?.["application/json"]?.schema;
  operation.responses["200"] = {
    description: success
      ? `${success.description}; or, retried with its Idempotency-Key after a 202, the confirmed transaction`
      : "Retried with its Idempotency-Key after a 202: the confirmed transaction",
    content: {
      "application/json": { schema: schema ? { anyOf: [schema, CONFIRMED_TRANSACTION] } : CONFIRMED_TRANSACTION },
    },
  };
}

function documentRefusals(operation: OperationObject, mutating: boolean): void {
  const extensions = extensionsOf(operation);
  const declared = Object.keys(extensions)
    .filter((name) => name.startsWith(REFUSALS_EXTENSION))
    .map((name) => {
      const table = extensions[name] as Refusals;
      delete extensions[name];
      return table;
    });
  const validated =
    Boolean(operation.requestBody) || (operation.parameters ?? []).some((p) => "in" in p && p.in !== "header");
  const refusals = mergeRefusals(
    CREDENTIAL_REFUSALS,
    FAULT_REFUSALS,
    ...(validated ? [VALIDATION_REFUSALS] : []),
    ...(mutating ? [BODY_REFUSALS, IDEMPOTENCY_REFUSALS] : []),
    ...declared,
  );
  const codesByStatus = new Map<number, string[]>();
  for (const [code, statuses] of Object.entries(refusals)) {
    for (const status of statuses) codesByStatus.set(status, [...(codesByStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...codesByStatus].sort(([a], [b]) => a - b)) {
    operation.responses[String(status)] = refusalResponse(status, codes.sort());
  }
  const roles = extensions[ROLES_EXTENSION] as string[] | undefined;
  if (roles) {
    const forbidden = operation.responses["403"] as ResponseObject;
    forbidden.description = `Requires role ${roles.join(" or ")}`;
    operation.description = joined(`Requires role ${roles.join(" or ")}.`, operation.description);
  }
}

/** A refusal status's response: the error shape with the codes the operation can answer with under it. */
function refusalResponse(status: number, codes: string[]): ResponseObject {
  return {
    description: `${status >= 500 ? "Not served (a fault, or retry later)" : "Refused"}: ${codes.join(", ")}`,
    content: {
      "application/json": {
        schema: {
          type: "object",
          required: ["code", "message", "details"],
          additionalProperties: false,
          properties: {
            code: { type: "string", enum: codes, description: "Stable machine-readable reason" },
            message: { type: "string", description: "A sentence a person reads" },
            details: { description: "The figures behind the refusal (asked, available, status, ...), or null" },
          },
        },
      },
    },
  };
}

function extensionsOf(operation: OperationObject): Record<string, unknown> {
  return operation as unknown as Record<string, unknown>;
}

function joined(first: string, rest: string | undefined): string {
  return rest ? `${first}\n\n${rest}` : first;
}

/** Serves the document at /docs (UI) and /docs/json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup("docs", app, document, { jsonDocumentUrl: "docs/json", yamlDocumentUrl: "docs/yaml" });
}
