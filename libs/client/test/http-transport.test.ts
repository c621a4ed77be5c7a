import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiRequestError, HttpTransport } from "../src/index.js";

let server: Server;
let baseUrl: string;
let lastRequest: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      lastRequest = { method: request.method, url: request.url, headers: request.headers, body };
      if (request.url?.startsWith("/refuse")) {
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
});
