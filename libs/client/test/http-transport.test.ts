import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiRequestError, HttpTransport, VoltstackClient, WritePendingAnswer } from "../src/index.js";

let server: Server;
let baseUrl: string;
let lastRequest: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string };
/** The Idempotency-Key of every request /flaky received, in order. */
let flakyKeys: Array<string | undefined>;
let flakyFailures: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      lastRequest = { method: request.method, url: request.url, headers: request.headers, body };
      if (request.url?.startsWith("/flaky")) {
        flakyKeys.push(request.headers["idempotency-key"] as string | undefined);
        const failing = flakyKeys.length <= flakyFailures;
        response.writeHead(failing ? 503 : 201, { "content-type": "application/json" });
        response.end(JSON.stringify(failing ? { code: "SERVICE_UNAVAILABLE", message: "Down." } : { id: 7 }));
      } else if (request.url?.startsWith("/pending")) {
        const txid = `0x${"ab".repeat(32)}`;
        response.writeHead(202, { "content-type": "application/json", location: `/transactions/${txid}` });
        response.end(JSON.stringify({ txid, status: "pending", poll: `/transactions/${txid}` }));
      } else if (request.url?.startsWith("/refuse")) {
        response.writeHead(409, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ code: "ERR_INSUFFICIENT_CAPACITY", message: "Not enough energy.", details: { u: 1 } }),
        );
      } else if (request.url?.startsWith("/broken")) {
        response.writeHead(502);
        response.end("<html>bad gateway</html>");
      } else {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ ok: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("HttpTransport", () => {
  it("sends JSON with the bearer key, the traceparent and the query", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const transport = new HttpTransport({ baseUrl, apiKey: "vsk_test", traceparent: () => traceparent });
    expect(
      await transport.request("POST", "facilities", { body: { a: 1 }, query: { limit: 5, skip: undefined } }),
    ).toEqual({
      ok: true,
    });
    expect(lastRequest).toMatchObject({ method: "POST", url: "/facilities?limit=5", body: '{"a":1}' });
    expect(lastRequest.headers).toMatchObject({ authorization: "Bearer vsk_test", traceparent });
  });

  it("sends no credentials when told to", async () => {
    await new HttpTransport({ baseUrl, apiKey: "vsk_test" }).request("GET", "health/ready", { apiKey: null });
    expect(lastRequest.headers.authorization).toBeUndefined();
  });

  it("turns a refusal into an ApiRequestError with the service's code", async () => {
    const error = await new HttpTransport({ baseUrl }).request("POST", "refuse").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({
      status: 409,
      code: "ERR_INSUFFICIENT_CAPACITY",
      details: { u: 1 },
      request: "POST /refuse",
    });
  });

  it("names the status when the answer is not the services' error shape", async () => {
    const error = await new HttpTransport({ baseUrl }).request("GET", "broken").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: "HTTP_502" });
  });

  it("says a service is unreachable rather than failing obscurely", async () => {
    const error = await new HttpTransport({ baseUrl: "http://127.0.0.1:1" })
      .request("GET", "facilities")
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 0, code: "SERVICE_UNREACHABLE" });
  });

  it("sends a new UUID Idempotency-Key with every write, none with a read", async () => {
    const transport = new HttpTransport({ baseUrl });
    await transport.request("POST", "facilities", { body: {} });
    const first = lastRequest.headers["idempotency-key"];
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await transport.request("PUT", "grid/demand", { body: {} });
    expect(lastRequest.headers["idempotency-key"]).not.toBe(first);
    await transport.request("GET", "facilities");
    expect(lastRequest.headers["idempotency-key"]).toBeUndefined();
  });

  it("retries a write the service could not answer with the same key, and stops at the answer", async () => {
    flakyKeys = [];
    flakyFailures = 2;
    const transport = new HttpTransport({ baseUrl, retryDelaysMs: [1, 1] });
    expect(await transport.request("POST", "flaky", { body: {} })).toEqual({ id: 7 });
    expect(flakyKeys).toHaveLength(3);
    expect(new Set(flakyKeys).size).toBe(1);
  });

  it("gives up after its retries with the last answer, and never retries a refusal", async () => {
    flakyKeys = [];
    flakyFailures = 5;
    const error = await new HttpTransport({ baseUrl, retryDelaysMs: [1] })
      .request("POST", "flaky", { body: {} })
      .catch((caught: unknown) => caught);
    expect([(error as ApiRequestError).status, flakyKeys.length]).toEqual([503, 2]);
    let refusals = 0;
    const refusing = new HttpTransport({ baseUrl, retryDelaysMs: [1, 1] });
    await refusing.request("POST", "refuse").catch(() => (refusals += 1));
    expect([refusals, lastRequest.url]).toEqual([1, "/refuse"]);
  });

  it("turns a 202 into a WritePendingAnswer with where to poll and the key to repeat the write with", async () => {
    const error = await new HttpTransport({ baseUrl })
      .request("POST", "pending", { body: {}, idempotencyKey: "order-17" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WritePendingAnswer);
    expect(error).toMatchObject({
      txid: `0x${"ab".repeat(32)}`,
      poll: `${baseUrl}/transactions/0x${"ab".repeat(32)}`,
      idempotencyKey: "order-17",
    });
  });

  it("sends the client's chosen key with its first write and numbered ones after", async () => {
    const urls = { verification: baseUrl, capacity: baseUrl, flow: baseUrl, grid: baseUrl, revenue: baseUrl };
    const client = new VoltstackClient({ urls, idempotencyKey: "cmd-1" });
    await client.request("verification", "POST", "facilities", { body: {} });
    expect(lastRequest.headers["idempotency-key"]).toBe("cmd-1");
    await client.request("grid", "POST", "service-requests", { body: {} });
    expect(lastRequest.headers["idempotency-key"]).toBe("cmd-1-2");
  });
});
