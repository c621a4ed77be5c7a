import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTelemetry, telemetrySettings } from "@voltstack/observability";

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
const httpApp = fileURLToPath(new URL("./fixtures/instrumented-app.ts", import.meta.url));
const nestApp = fileURLToPath(new URL("./fixtures/nest-app.ts", import.meta.url));

interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

// OTLP span kinds.
const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;

describe("telemetry switched by OTEL_* variables only", () => {
  let collector: Server;
  let endpoint: string;
  let received: OtlpExport[] = [];

  beforeAll(async () => {
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url === "/v1/traces")
          received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport);
        response.setHeader("content-type", "application/json");
        response.end("{}");
      });
    });
    collector.listen(0, "127.0.0.1");
    await once(collector, "listening");
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    collector.close();
    await once(collector, "close");
  });

  beforeEach(() => {
    received = [];
  });

  async function runFixture(fixture: string, env: NodeJS.ProcessEnv): Promise<{ enabled: boolean; reason: string }> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_")));
    const { stdout } = await run(
      process.execPath,
      ["--conditions=voltstack-source", "--import", "tsx", "--import", "@voltstack/observability/register", fixture],
      { cwd: repositoryRoot, env: { ...clean, NODE_ENV: "production", ...env }, timeout: 30_000 },
    );
    return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { enabled: boolean; reason: string };
  }

  it("stays off without configuration and in tests", () => {
    expect(telemetrySettings({}).enabled).toBe(false);
    expect(telemetrySettings({ NODE_ENV: "production" }).reason).toMatch(/no OTEL_TRACES_EXPORTER/);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, NODE_ENV: "test" }).enabled).toBe(false);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: "true" }).enabled).toBe(false);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_EXPORTER: "none" }).enabled).toBe(
      false,
    );
    const inThisTest = startTelemetry({ service: { name: "vitest", version: "0.0.0", environment: "test" } });
    expect(inThisTest.enabled).toBe(false);
  });

  it("turns on for an exporter, an OTLP endpoint, or a test that opts in", () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).enabled).toBe(true);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces` }).enabled).toBe(true);
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: "console" }).enabled).toBe(true);
    expect(
      telemetrySettings({ OTEL_TRACES_EXPORTER: "otlp", NODE_ENV: "test", OTEL_SDK_DISABLED: "false" }).enabled,
    ).toBe(true);
  });

  it("exports nothing from a process that has no OTEL_* configuration", async () => {
    const result = await runFixture(httpApp, {});
    expect(result.enabled).toBe(false);
    expect(received).toEqual([]);
  });

  it("exports OTLP spans of an ESM application, HTTP server and client included, when the endpoint is set", async () => {
    const result = await runFixture(httpApp, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "fixture-service",
      DEPLOYMENT_ENVIRONMENT: "testnet",
    });
    expect(result).toEqual({ enabled: true, reason: `traces go to OTLP to ${endpoint}` });
    const resourceSpans = received.flatMap((body) => body.resourceSpans);
    const resource = Object.fromEntries(
      resourceSpans[0]!.resource.attributes.map((attribute) => [attribute.key, attribute.value.stringValue]),
    );
    expect(resource).toMatchObject({
      "service.name": "fixture-service",
      "service.version": "0.1.0",
      "deployment.environment": "testnet",
    });
    const spans = resourceSpans.flatMap((entry) => entry.scopeSpans.flatMap((scope) => scope.spans));
    const work = spans.find((span) => span.name === "fixture work" && span.kind === INTERNAL);
    const client = spans.find((span) => span.kind === CLIENT);
    const server = spans.find((span) => span.kind === SERVER);
    expect(work && client && server, JSON.stringify(spans.map((span) => [span.name, span.kind]))).toBeTruthy();
    expect(client?.parentSpanId).toBe(work?.spanId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(new Set([work?.traceId, client?.traceId, server?.traceId]).size).toBe(1);
  });

  it("traces a NestJS 12 application: app creation and each handler inside the HTTP server span", async () => {
    const result = await runFixture(nestApp, {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "nest-fixture",
    });
    expect(result).toMatchObject({ enabled: true, body: { id: "7" } });
    const spans = received.flatMap((body) =>
      body.resourceSpans.flatMap((entry) => entry.scopeSpans.flatMap((scope) => scope.spans)),
    );
    const names = JSON.stringify(spans.map((span) => span.name));
    const nestType = (span: OtlpSpan) =>
      span.attributes.find((attribute) => attribute.key === "nestjs.type")?.value.stringValue;
    expect(
      spans.some((span) => span.name === "Create Nest App" && nestType(span) === "app_creation"),
      names,
    ).toBe(true);
    const handler = spans.find((span) => span.name === "FacilitiesController.findOne");
    const server = spans.find((span) => span.kind === SERVER);
    expect(handler && nestType(handler), names).toBe("request_context");
    expect(handler?.parentSpanId).toBe(server?.spanId);
  });
});
