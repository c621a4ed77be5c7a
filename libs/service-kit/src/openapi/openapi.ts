import type { INestApplication } from "@nestjs/common";
import { PUBLIC_OPERATION_EXTENSION } from "../auth/auth-decorators.js";
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  SwaggerModule,
} from "@nestjs/swagger";

import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH } from "../idempotency/idempotency-key.js";
import { IDEMPOTENCY_KEY_RETENTION_MS } from "../idempotency/idempotency-store.js";

export interface OpenApiOptions {
  title: string;
  version?: string;
  description?: string;
}

const MUTATING = ["post", "put", "patch", "delete"] as const;

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

/**
 * Builds the service's OpenAPI document; mutating operations are marked as needing a bearer
 * credential and take an Idempotency-Key.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version ?? "1.0.0")
    .setDescription(options.description ?? "")
    .addBearerAuth({
      type: "http",
      scheme: "bearer",
      description: "An API key or a JWT from the configured identity provider",
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const path of Object.values(document.paths)) {
    for (const method of MUTATING) {
      const operation = path[method];
      if (operation) documentIdempotency(operation);
      if (
        operation &&
        !operation.security &&
        !(operation as unknown as Record<string, unknown>)[PUBLIC_OPERATION_EXTENSION]
      )
        operation.security = [{ bearer: [] }];
    }
  }
  return document;
}

function documentIdempotency(operation: OperationObject): void {
  operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER];
  operation.responses["202"] ??= PENDING_WRITE_RESPONSE;
}

/** Serves the document at /docs (UI) and /docs/json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup("docs", app, document, { jsonDocumentUrl: "docs/json", yamlDocumentUrl: "docs/yaml" });
}
