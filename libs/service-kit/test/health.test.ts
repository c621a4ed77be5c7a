import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Global, Module } from "@nestjs/common";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDatabaseReady, createPgPool } from "@voltstack/persistence";
import {
  LIVENESS_CHECKS,
  natsReadiness,
  startTestService,
  type ReadinessChecks,
  type TestService,
} from "@voltstack/service-kit";
import { call } from "./http-client.js";
import { SampleModule } from "./sample-app.js";

const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

const POOL = Symbol("POOL");
const NATS = Symbol("NATS");

let pool: pg.Pool;
let downPool: pg.Pool;
let nats: NatsConnection;
let chainNode: Server;
let chainUrl: string;
let closedUrl: string;

/** The connections a service would own, exported so its readiness checks can use them. */
function dependencies(database: () => pg.Pool) {
  @Module({
    providers: [
      { provide: POOL, useFactory: database },
      { provide: NATS, useFactory: () => nats },
    ],
    exports: [POOL, NATS],
  })
  class DependenciesModule {}
  return DependenciesModule;
}

/** What a service's infrastructure module provides: checks of what only a restart mends. */
function liveness(checks: ReadinessChecks) {
  @Global()
  @Module({ providers: [{ provide: LIVENESS_CHECKS, useValue: checks }], exports: [LIVENESS_CHECKS] })
  class LivenessModule {}
  return LivenessModule;
}

function start(database: () => pg.Pool, chain: string, livenessChecks?: ReadinessChecks): Promise<TestService> {
  return startTestService(SampleModule, {
    imports: [dependencies(database), ...(livenessChecks ? [liveness(livenessChecks)] : [])],
    readiness: {
      inject: [POOL, NATS],
      useFactory: (db: pg.Pool, connection: NatsConnection): ReadinessChecks => ({
        postgres: () => checkDatabaseReady(db),
        nats: natsReadiness(connection),
        chain: async (signal) => {
          const response = await fetch(new URL("/v2/info", chain), { signal });
          await response.body?.cancel();
          if (!response.ok) throw new Error(`the Stacks node answered ${response.status}`);
        },
      }),
    },
    env: { READINESS_TIMEOUT_MS: "1500" },
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  pool = createPgPool({ url: databaseUrl, pool: { max: 1 } });
  downPool = createPgPool({
    url: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres`,
    pool: { connectionTimeoutMs: 1000 },
  });
  nats = await connect({ servers: natsUrl });
  // Stands in for the Stacks node's API, which has no local server here.
  chainNode = createServer((request, response) => {
    response.statusCode = request.url === "/v2/info" ? 200 : 404;
    response.end(JSON.stringify({ stacks_tip_height: 1 }));
  });
  await new Promise<void>((resolve) => chainNode.listen(0, "127.0.0.1", resolve));
  chainUrl = `http://127.0.0.1:${(chainNode.address() as AddressInfo).port}`;
  closedUrl = `http://127.0.0.1:${await freePort()}`;
});

afterAll(async () => {
  await pool?.end();
  await downPool?.end();
  await nats?.close();
  await new Promise((resolve) => chainNode?.close(resolve));
});

describe("health endpoints", () => {
  it("reports live without consulting any dependency", async () => {
    const service = await start(() => downPool, closedUrl);
    try {
      const reply = await call(service.baseUrl, "GET", "/health/live");
      expect(reply).toMatchObject({ status: 200, body: { status: "ok", details: {} } });
    } finally {
      await service.close();
    }
  });

  it("reports not live (503 NOT_LIVE) naming what the process cannot recover from, live while it can", async () => {
    let closedForGood = false;
    const service = await start(() => pool, chainUrl, {
      nats: async () => {
        if (closedForGood) throw new Error("the NATS connection is closed for good");
      },
    });
    try {
      expect(await call(service.baseUrl, "GET", "/health/live")).toMatchObject({
        status: 200,
        body: { status: "ok", info: { nats: { status: "up" } } },
      });
      closedForGood = true;
      const reply = await call(service.baseUrl, "GET", "/health/live");
      expect(reply).toMatchObject({
        status: 503,
        body: {
          code: "NOT_LIVE",
          message: "The service cannot recover by itself: nats (the NATS connection is closed for good) unavailable.",
          details: { error: { nats: { status: "down", message: "the NATS connection is closed for good" } } },
        },
      });
    } finally {
      await service.close();
    }
  });

  it("reports ready when PostgreSQL, NATS and the chain node all answer", async () => {
    const service = await start(() => pool, chainUrl);
    try {
      const reply = await call(service.baseUrl, "GET", "/health/ready");
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        status: "ok",
        details: { postgres: { status: "up" }, nats: { status: "up" }, chain: { status: "up" } },
      });
    } finally {
      await service.close();
    }
  });

  it("reports not ready (503) naming each dependency that is down", async () => {
    const service = await start(() => downPool, closedUrl);
    try {
      const reply = await call(service.baseUrl, "GET", "/health/ready");
      expect(reply.status).toBe(503);
      expect(reply.body).toMatchObject({
        code: "NOT_READY",
        message: expect.stringMatching(/^The service is not ready: postgres \(.+\), chain \(.+\) unavailable\.$/),
        details: {
          status: "error",
          error: { postgres: { status: "down" }, chain: { status: "down" } },
          info: { nats: { status: "up" } },
        },
      });
    } finally {
      await service.close();
    }
  });
});
