import { context, trace } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { describe, expect, it } from "vitest";
import { JsonLineSpanExporter, serviceIdentity } from "@voltstack/observability";

describe("serviceIdentity", () => {
  it("names a service after the folder its entry point lives in, so the five can be told apart", () => {
    expect(serviceIdentity({}, "/app/services/grid/dist/main.js").name).toBe("voltstack-grid");
    expect(serviceIdentity({}, "/work/services/revenue/src/main.ts").name).toBe("voltstack-revenue");
    expect(serviceIdentity({ npm_package_name: "@voltstack/flow" }, "/usr/bin/tsx").name).toBe("voltstack-flow");
    expect(serviceIdentity({}, undefined).name).toBe("voltstack");
  });

  it("takes the standard variables over what it would work out", () => {
    const identity = serviceIdentity(
      {
        OTEL_SERVICE_NAME: "grid-eu",
        SERVICE_VERSION: "1.2.3",
        DEPLOYMENT_ENVIRONMENT: "testnet",
        NODE_ENV: "production",
      },
      "/app/services/grid/dist/main.js",
    );
    expect(identity).toEqual({ name: "grid-eu", version: "1.2.3", environment: "testnet" });
    expect(serviceIdentity({ NODE_ENV: "production" }, "/nowhere/services/grid/main.js").environment).toBe(
      "production",
    );
  });
});

describe("JsonLineSpanExporter", () => {
  it("writes one parseable line per span, with its ids, parent, service and links", async () => {
    const written: string[] = [];
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "voltstack-grid" }),
      spanProcessors: [new SimpleSpanProcessor(new JsonLineSpanExporter((line) => void written.push(line)))],
    });
    const tracer = provider.getTracer("test");
    const linked = tracer.startSpan("earlier");
    linked.end();
    const outerSpan = tracer.startSpan("outer");
    tracer
      .startSpan(
        "inner",
        { links: [{ context: linked.spanContext() }], attributes: { txid: "0x01" } },
        trace.setSpan(context.active(), outerSpan),
      )
      .end();
    outerSpan.end();
    await provider.shutdown();
    expect(written).toHaveLength(3);
    expect(written.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n"))).toBe(true);
    const [, inner, outer] = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inner).toMatchObject({
      service: "voltstack-grid",
      span: "inner",
      trace_id: outer!.trace_id,
      parent_span_id: outer!.span_id,
      status: "unset",
      attributes: { txid: "0x01" },
      links: [{ trace_id: linked.spanContext().traceId, span_id: linked.spanContext().spanId }],
    });
    expect(outer).not.toHaveProperty("parent_span_id");
  });
});
