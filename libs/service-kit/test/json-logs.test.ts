import { Controller, Get, Logger, Module, Post } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, Public, startTestService, type TestService } from "@voltstack/service-kit";

const API_KEY = "vsk_admin_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d";

@Controller("samples")
class SampleController {
  private readonly logger = new Logger("SampleController");

  @Public()
  @Get(":id")
  find(): { id: number } {
    this.logger.log("sample read");
    return { id: 1 };
  }

  @Public()
  @Post()
  create(): never {
    this.logger.warn({ msg: "refusing", authorization: `Bearer ${API_KEY}` });
    throw ApiError.conflict("SAMPLE_EXISTS", "The sample exists.");
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}

describe("a service's logs", () => {
  const written: string[] = [];
  let service: TestService;
  const lines = () =>
    written
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const levelBefore = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "debug";
    service = await startTestService(SampleModule, {
      name: "grid",
      logger: undefined,
      logDestination: { write: (line) => void written.push(line) },
    });
  });
  afterAll(async () => {
    if (levelBefore === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = levelBefore;
    await service?.close();
  });

  it("are JSON lines naming the service, with the request id and the trace id the caller sent on every line of its request", async () => {
    written.length = 0;
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${service.baseUrl}/samples/1`, {
      headers: { "x-request-id": "req-abc.1", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("req-abc.1");
    const [handler, access] = lines().filter((line) => line.request_id === "req-abc.1");
    expect(handler).toMatchObject({
      trace_id: traceId,
      level: "info",
      service: "voltstack-grid",
      context: "SampleController",
      msg: "sample read",
    });
    expect(access).toMatchObject({
      level: "debug",
      method: "GET",
      route: "/samples/:id",
      status: 200,
      service: "voltstack-grid",
    });
  });

  it("make up a request id when the caller's is unusable, and never print a credential", async () => {
    written.length = 0;
    const response = await fetch(`${service.baseUrl}/samples`, {
      method: "POST",
      headers: { "x-request-id": "no spaces allowed", "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(409);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const own = lines().filter((line) => line.request_id === requestId);
    expect(own.map((line) => line.msg)).toEqual(["refusing", "request refused"]);
    expect(own[1]).toMatchObject({ level: "info", method: "POST", status: 409 });
    expect(written.join("")).not.toContain(API_KEY);
    expect(own[0]!.authorization).toBe("[redacted]");
  });
});
