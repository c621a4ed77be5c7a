import { once } from "node:events";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { SpanKind, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestTracing, defaultInstrumentations, withSpan, type TestTracing } from "@voltstack/observability";

// Instrumentation patches modules as they are required after it is enabled; an
// ESM import is only seen through the loader hook that
// @voltstack/observability/register installs (proven in otlp-export.test.ts).
// Here http is required after enabling, as Express and pg require it.
let http: typeof import("node:http");

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: "127.0.0.1", port, path, headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("HTTP instrumentation", () => {
  let tracing: TestTracing;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    tracing = createTestTracing({ instrumentations: defaultInstrumentations() });
    http = createRequire(import.meta.url)("node:http") as typeof import("node:http");
    server = http.createServer((incoming, response) => {
      const active = trace.getActiveSpan();
      response.setHeader("x-trace-id", active?.spanContext().traceId ?? "none");
      response.statusCode = incoming.url === "/missing" ? 404 : 200;
      response.end("ok");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.close();
    await once(server, "close");
    await tracing.shutdown();
  });

  it("records a server span for a request, and none for health probes", async () => {
    expect(await get(port, "/health/ready")).toBe(200);
    expect(await get(port, "/facilities?page=2")).toBe(200);
    const serverSpan = await tracing.waitForSpan((span) => span.kind === SpanKind.SERVER);
    expect(serverSpan.name).toBe("GET");
    expect(serverSpan.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "url.path": "/facilities",
    });
    expect(tracing.spans().filter((span) => span.kind === SpanKind.SERVER)).toHaveLength(1);
  });

  it("continues the caller's trace from the traceparent header", async () => {
    tracing.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    // fetch is not instrumented by instrumentation-http, so the header arrives as sent.
    const response = await fetch(`http://127.0.0.1:${port}/missing`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-trace-id")).toBe(traceId);
    const serverSpan = await tracing.waitForSpan((span) => span.kind === SpanKind.SERVER);
    expect(serverSpan.spanContext().traceId).toBe(traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(serverSpan.attributes["http.response.status_code"]).toBe(404);
  });

  it("links a client call made inside a span to the server span it causes", async () => {
    tracing.reset();
    await withSpan("use-case", {}, () => get(port, "/facilities"));
    const serverSpan = await tracing.waitForSpan((span) => span.kind === SpanKind.SERVER);
    const clientSpan = await tracing.waitForSpan((span) => span.kind === SpanKind.CLIENT);
    const useCase = tracing.span("use-case");
    expect(tracing.parentOf(clientSpan)).toBe(useCase);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.spanContext().traceId).toBe(useCase.spanContext().traceId);
  });
});
