import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, createTestTracing, withSpan, type TestTracing } from "@voltstack/observability";

function captureLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe("createLogger", () => {
  let tracing: TestTracing;
  beforeEach(() => {
    tracing = createTestTracing();
  });
  afterEach(async () => {
    await tracing.shutdown();
  });

  it("writes JSON lines carrying the trace and span ids of the active span", async () => {
    const { stream, lines } = captureLines();
    const logger = createLogger("grid", { destination: stream, base: { service: "grid" } });
    await withSpan("accept-request", {}, async () => {
      logger.info({ requestId: 4 }, "request accepted");
      await withSpan("chain call accept-request", {}, async () => logger.warn("slow node"));
    });
    const [accepted, slow] = lines();
    const outer = tracing.span("accept-request").spanContext();
    const inner = tracing.span("chain call accept-request").spanContext();
    expect(accepted).toMatchObject({
      name: "grid",
      service: "grid",
      level: "info",
      msg: "request accepted",
      requestId: 4,
    });
    expect(accepted).toMatchObject({ trace_id: outer.traceId, span_id: outer.spanId, trace_flags: "01" });
    expect(slow).toMatchObject({ level: "warn", trace_id: outer.traceId, span_id: inner.spanId });
    expect(typeof accepted?.time).toBe("string");
    expect(Number.isNaN(Date.parse(String(accepted?.time)))).toBe(false);
  });

  it("leaves the ids out when no span is active", () => {
    const { stream, lines } = captureLines();
    createLogger("revenue", { destination: stream }).info("idle");
    const [line] = lines();
    expect(line).toMatchObject({ name: "revenue", msg: "idle" });
    expect(line).not.toHaveProperty("trace_id");
    expect(line).not.toHaveProperty("span_id");
  });

  it("honours the level", () => {
    const { stream, lines } = captureLines();
    const logger = createLogger("flow", { destination: stream, level: "warn" });
    logger.info("hidden");
    logger.error("shown");
    expect(lines().map((line) => line.msg)).toEqual(["shown"]);
  });
});
