import type { INestApplication } from "@nestjs/common";
import { PUBLIC_OPERATION_EXTENSION } from "../auth/auth-decorators.js";
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from "@nestjs/swagger";

export interface OpenApiOptions {
  title: string;
  version?: string;
  description?: string;
}

const MUTATING = ["post", "put", "patch", "delete"] as const;

/** Builds the service's OpenAPI document; mutating operations are marked as needing a bearer credential. */
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

/** Serves the document at /docs (UI) and /docs/json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup("docs", app, document, { jsonDocumentUrl: "docs/json", yamlDocumentUrl: "docs/yaml" });
}
