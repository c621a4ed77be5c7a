import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hashApiKey,
  MAX_JSON_BODY_DEPTH,
  ShutdownHooks,
  startTestService,
  type TestService,
} from "@voltstack/service-kit";
import { call } from "./http-client.js";
import { SampleModule } from "./sample-app.js";

// Devnet principals (Clarinet's default wallets).
const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const OTHER = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

const keys = {
  owner: "vsk_owner_3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e",
  operator: "vsk_operator_8b6d4f2a0c9e7b5d3f1a2c4e6b8d0f9a",
  admin: "vsk_admin_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
};
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

const ISSUER = "https://idp.test.example";
const AUDIENCE = "voltstack-verification";

let service: TestService;
let jwks: Server;
let signingKey: SigningKey;
let foreignKey: SigningKey;
let staticKeyPem: string;

function sign(
  claims: Record<string, unknown>,
  options: { key?: SigningKey; audience?: string; expiresIn?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: "test-key" })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject("user-42")
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "5m")
    .sign(options.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  signingKey = pair.privateKey;
  staticKeyPem = await exportSPKI(pair.publicKey);
  foreignKey = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
  jwks = createServer((_, response) => {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));

  service = await startTestService(SampleModule, {
    env: {
      AUTH_API_KEYS: JSON.stringify([
        { name: "owner-app", sha256: hashApiKey(keys.owner), role: "owner", principals: [OWNER] },
        { name: "grid-operator", sha256: hashApiKey(keys.operator), role: "operator", principals: [OWNER] },
        { name: "platform-admin", sha256: hashApiKey(keys.admin), role: "admin", principals: [] },
      ]),
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
    },
  });
});

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

/** JSON arrays nested `depth` levels deep, as text. */
const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

const facility = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  ownerPrincipal: OWNER,
  capacityKwh: 500,
  depositUstx: "1000000",
  ...overrides,
});

describe("error shape and validation", () => {
  it("answers unknown ids and routes with 404 in the common shape", async () => {
    const missing = await call(service.baseUrl, "GET", "/facilities/nope-1");
    expect(missing).toMatchObject({
      status: 404,
      body: { code: "FACILITY_NOT_FOUND", message: "No facility nope-1.", details: { id: "nope-1" } },
    });
    const route = await call(service.baseUrl, "GET", "/no/such/route");
    expect(route.status).toBe(404);
    expect(route.body).toEqual({ code: "NOT_FOUND", message: expect.any(String), details: null });
  });

  it.each([
    ["malformed JSON", { rawBody: '{"id": "x",' }, "MALFORMED_JSON"],
    ["a wrong type", { body: facility("fac-1", { capacityKwh: "lots" }) }, "VALIDATION_FAILED"],
    ["a fractional amount", { body: facility("fac-1", { depositUstx: 1.5 }) }, "VALIDATION_FAILED"],
    ["a negative amount", { body: facility("fac-1", { depositUstx: -5 }) }, "VALIDATION_FAILED"],
    ["a negative amount string", { body: facility("fac-1", { depositUstx: "-5" }) }, "VALIDATION_FAILED"],
    [
      "a huge JSON number",
      {
        rawBody: JSON.stringify(facility("fac-1", { depositUstx: 0 })).replace(
          '"depositUstx":0',
          '"depositUstx":1e308',
        ),
      },
      "VALIDATION_FAILED",
    ],
    [
      "an amount beyond uint128",
      { body: facility("fac-1", { depositUstx: (2n ** 128n).toString() }) },
      "VALIDATION_FAILED",
    ],
    ["a number beyond the field's limit", { body: facility("fac-1", { capacityKwh: 2_000_000 }) }, "VALIDATION_FAILED"],
    ["an unknown field", { body: facility("fac-1", { admin: true }) }, "VALIDATION_FAILED"],
    ["a missing body", {}, "VALIDATION_FAILED"],
    ["a JSON array body", { body: [1, 2] }, "VALIDATION_FAILED"],
    ["a body nested as deep as allowed", { rawBody: nested(MAX_JSON_BODY_DEPTH) }, "VALIDATION_FAILED"],
    ["a body nested thousands of levels deep", { rawBody: nested(5_000) }, "JSON_TOO_DEEP"],
  ])("refuses %s with 400 and a machine code", async (_, request, code) => {
    const reply = await call(service.baseUrl, "POST", "/facilities", { ...request, token: keys.owner });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code, message: expect.any(String) });
    if (code === "VALIDATION_FAILED") expect(reply.body.details.issues.length).toBeGreaterThan(0);
    if (code === "JSON_TOO_DEEP") expect(reply.body.details).toEqual({ maxDepth: MAX_JSON_BODY_DEPTH });
  });

  it("refuses a NUL character anywhere in a body, a query or a path, naming where it sits", async () => {
    const inBody = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-nul", { label: "a\u0000b" }),
      token: keys.owner,
    });
    const inQuery = await call(service.baseUrl, "GET", "/facilities?owner=%00", { token: keys.owner });
    const inPath = await call(service.baseUrl, "GET", "/facilities/fac%00", { token: keys.owner });
    for (const reply of [inBody, inQuery, inPath]) {
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: "VALIDATION_FAILED" });
      expect(reply.body.details.issues[0]).toMatchObject({ code: "nul_character" });
    }
    expect(inBody.body.details.issues[0].path).toBe("label");
    expect(inQuery.body.details.issues[0].path).toBe("owner");
  });

  it("counts no brackets inside strings, and refuses a JSON body in another charset than UTF-8 with 415", async () => {
    const brackets = await call(service.baseUrl, "POST", "/facilities", {
      body: facility(`fac-${"[".repeat(100)}`),
      token: keys.owner,
    });
    expect(brackets.body.code).not.toBe("JSON_TOO_DEEP");
    const utf16 = await fetch(`${service.baseUrl}/facilities`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-16le", authorization: `Bearer ${keys.owner}` },
      body: Buffer.from(JSON.stringify(facility("fac-utf16")), "utf16le"),
    });
    expect(utf16.status).toBe(415);
    expect(await utf16.json()).toMatchObject({ code: "UNSUPPORTED_CHARSET" });
  });

  it("validates query strings", async () => {
    const listed = await call(service.baseUrl, "GET", `/facilities?owner=${OTHER}&limit=5`);
    expect(listed).toMatchObject({ status: 200, body: { items: [], limit: 5 } });
    for (const query of ["limit=-1", "limit=abc", "limit=1000", "owner=nobody", "unknown=1"]) {
      const reply = await call(service.baseUrl, "GET", `/facilities?${query}`);
      expect({ query, status: reply.status, code: reply.body.code }).toEqual({
        query,
        status: 400,
        code: "VALIDATION_FAILED",
      });
    }
  });

  it("names the offending field", async () => {
    const reply = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-1", { depositUstx: -5 }),
      token: keys.owner,
    });
    expect(reply.body.details.issues).toEqual([
      { path: "depositUstx", code: "custom", message: "must not be negative" },
    ]);
  });

  it("refuses a malformed path parameter with 400, and an oversized body with 413", async () => {
    expect((await call(service.baseUrl, "GET", "/facilities/NOT%20VALID")).body.code).toBe("VALIDATION_FAILED");
    const huge = await call(service.baseUrl, "POST", "/facilities", {
      rawBody: JSON.stringify({ id: "x".repeat(200_000) }),
      token: keys.owner,
    });
    expect(huge).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("answers a conflict with 409 and a fault with a 500 that leaks nothing", async () => {
    expect(
      (await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-dup"), token: keys.owner })).status,
    ).toBe(201);
    const again = await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-dup"), token: keys.owner });
    expect(again).toMatchObject({ status: 409, body: { code: "FACILITY_EXISTS" } });
    const boom = await call(service.baseUrl, "GET", "/facilities/boom/now");
    expect(boom).toMatchObject({ status: 500, body: { code: "INTERNAL_ERROR", details: null } });
    expect(boom.text).not.toContain("hunter2");
  });

  it("answers Prisma's unique-key clash with 409 and its missing record with 404", async () => {
    const clash = await call(service.baseUrl, "POST", "/facilities/fac-p/readings/0xabc", { token: keys.operator });
    expect(clash).toMatchObject({ status: 409, body: { code: "CONFLICT", details: { target: ["tx_id"] } } });
    const missing = await call(service.baseUrl, "POST", "/facilities/fac-p/readings/missing", { token: keys.operator });
    expect(missing).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
  });

  it("keeps amounts beyond 2^53 exact as decimal strings", async () => {
    const big = "340282366920938463463374607431768211455";
    const reply = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-big", { depositUstx: big }),
      token: keys.owner,
    });
    expect(reply).toMatchObject({ status: 201, body: { depositUstx: big } });
  });
});

describe("authentication and authorisation", () => {
  it("refuses a mutating call without credentials with 401", async () => {
    const reply = await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-a1") });
    expect(reply).toMatchObject({ status: 401, body: { code: "UNAUTHENTICATED" } });
    expect(reply.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call(service.baseUrl, "POST", "/facilities/fac-a1/ping")).status).toBe(401);
    expect((await call(service.baseUrl, "POST", "/facilities/fac-a1/telemetry")).status).toBe(202);
  });

  it("refuses unknown keys and malformed headers with 401", async () => {
    expect(
      (await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-a2"), token: "vsk_guess" })).body.code,
    ).toBe("INVALID_CREDENTIALS");
    expect(
      (
        await call(service.baseUrl, "POST", "/facilities", {
          body: facility("fac-a2"),
          authorization: `Basic ${keys.owner}`,
        })
      ).status,
    ).toBe(401);
  });

  it("refuses a caller without the required role with 403", async () => {
    const reply = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-a3"),
      token: keys.operator,
    });
    expect(reply).toMatchObject({
      status: 403,
      body: { code: "ROLE_NOT_ALLOWED", details: { required: ["owner", "admin"], granted: ["operator"] } },
    });
    await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-a3"), token: keys.owner });
    expect((await call(service.baseUrl, "POST", "/facilities/fac-a3/approve", { token: keys.owner })).status).toBe(403);
  });

  it("refuses to act for a principal the caller was not given, with 403", async () => {
    const reply = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-a4", { ownerPrincipal: OTHER }),
      token: keys.owner,
    });
    expect(reply).toMatchObject({
      status: 403,
      body: { code: "PRINCIPAL_NOT_ALLOWED", details: { principals: [OTHER] } },
    });
    // An admin holds no principals either: roles never imply principals.
    expect(
      (await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-a4"), token: keys.admin })).status,
    ).toBe(403);
    expect((await call(service.baseUrl, "GET", "/facilities/fac-a4")).status).toBe(404);
  });

  it("accepts a valid API key with the right role and principal", async () => {
    const reply = await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-a5"), token: keys.owner });
    expect(reply).toMatchObject({ status: 201, body: { id: "fac-a5", registeredBy: "owner-app", approved: false } });
    const approved = await call(service.baseUrl, "POST", "/facilities/fac-a5/approve", { token: keys.admin });
    expect(approved).toMatchObject({ status: 200, body: { approved: true } });
    expect((await call(service.baseUrl, "POST", "/facilities/fac-a5/ping", { token: keys.operator })).status).toBe(204);
  });

  it("accepts a valid JWT from the configured issuer, mapping its roles and principals", async () => {
    const token = await sign({ roles: ["owner"], stacks_principals: [OWNER] });
    const reply = await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-j1"), token });
    expect(reply).toMatchObject({ status: 201, body: { registeredBy: "user-42" } });
    const foreign = await call(service.baseUrl, "POST", "/facilities", {
      body: facility("fac-j2", { ownerPrincipal: OTHER }),
      token,
    });
    expect(foreign).toMatchObject({ status: 403, body: { code: "PRINCIPAL_NOT_ALLOWED" } });
  });

  it.each([
    [
      "for another audience",
      () => sign({ roles: ["owner"], stacks_principals: [OWNER] }, { audience: "someone-else" }),
    ],
    ["signed by an unknown key", () => sign({ roles: ["owner"], stacks_principals: [OWNER] }, { key: foreignKey })],
    ["already expired", () => sign({ roles: ["owner"], stacks_principals: [OWNER] }, { expiresIn: "-10m" })],
    ["granting none of our roles", () => sign({ roles: ["viewer"], stacks_principals: [OWNER] })],
  ])("refuses a JWT %s with 401", async (_, make) => {
    const reply = await call(service.baseUrl, "POST", "/facilities", { body: facility("fac-j3"), token: await make() });
    expect(reply).toMatchObject({ status: 401, body: { code: "INVALID_CREDENTIALS" } });
  });

  it("verifies JWTs against a static public key as well", async () => {
    const other = await startTestService(SampleModule, {
      env: {
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_JWT_PUBLIC_KEY: staticKeyPem,
        AUTH_JWT_ALGORITHMS: "ES256",
      },
    });
    try {
      const token = await sign({ roles: ["admin"], stacks_principals: [OWNER] });
      expect((await call(other.baseUrl, "POST", "/facilities", { body: facility("fac-s1"), token })).status).toBe(201);
      expect((await call(other.baseUrl, "POST", "/facilities/fac-s1/approve", { token })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe("OpenAPI, metrics and shutdown", () => {
  it("serves the OpenAPI document with every route and the bearer scheme", async () => {
    const reply = await call(service.baseUrl, "GET", "/docs/json");
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.paths)).toEqual(
      expect.arrayContaining([
        "/facilities/{id}",
        "/facilities",
        "/facilities/{id}/approve",
        "/health/live",
        "/health/ready",
      ]),
    );
    expect(reply.body.paths["/facilities"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      "limit",
      "owner",
    ]);
    const register = reply.body.paths["/facilities"].post;
    expect(register.security).toEqual([{ bearer: [] }]);
    expect(reply.body.paths["/facilities/{id}/telemetry"].post.security).toBeUndefined();
    expect(register.requestBody.content["application/json"].schema.properties).toHaveProperty("depositUstx");
    expect(reply.body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const ui = await call(service.baseUrl, "GET", "/docs");
    expect(ui.status).toBe(200);
    expect(ui.text).toContain("swagger");
  });

  it("exposes the HTTP request duration histogram by route template on /metrics", async () => {
    await call(service.baseUrl, "GET", "/facilities/metric-probe");
    const reply = await call(service.baseUrl, "GET", "/metrics");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/plain");
    expect(reply.text).toContain("# TYPE http_server_request_duration_seconds histogram");
    expect(reply.text).toMatch(
      /http_server_request_duration_seconds_count\{method="GET",route="\/facilities\/:id",status_code="404"\} [1-9]/,
    );
    expect(reply.text).not.toContain("metric-probe");
  });

  it("runs registered drains phase by phase when the app closes", async () => {
    const other = await startTestService(SampleModule);
    const order: string[] = [];
    const hooks = other.app.get(ShutdownHooks);
    hooks.register("db", async () => void order.push("close:db"), "close");
    hooks.register("relay", async () => void order.push("drain:relay"), "drain");
    hooks.register("consumers", async () => void order.push("intake:consumers"), "intake");
    await other.close();
    expect(order).toEqual(["intake:consumers", "drain:relay", "close:db"]);
  });
});
