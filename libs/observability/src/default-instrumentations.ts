import type { Instrumentation } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { NestJsInstrumentation } from "./nestjs-instrumentation.js";

/** HTTP (server and client), NestJS request handling, and PostgreSQL through pg. */
export function defaultInstrumentations(): Instrumentation[] {
  return [
    // Health probes and scrapes would drown the traces that matter.
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => /^\/(health|metrics)(\/|$|\?)/.test(request.url ?? ""),
    }),
    new NestJsInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true }),
  ];
}
