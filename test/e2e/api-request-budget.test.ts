import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "@voltstack/cli";
import { type LocalStack, startLocalStack } from "@voltstack/local-stack";
import { databaseUrl, natsUrl } from "@voltstack/service-testing";
import { CountingProxy } from "./counting-proxy.js";
import { dropStackState } from "./stack-cleanup.js";

// What the whole system asks of a Stacks Blockchain API, counted by a proxy between the
// five services (as `npm start` configures them, one replica each) and the devnet: the
// figures an operator compares with a hosted API's rate limit (docs/benchmarks.md).
// The devnet mines a block every second, as a busy real chain would.

const IDLE_WINDOW_MS = 30_000;
const IDLE_BUDGET_PER_MINUTE = 60;
const DEMO_BUDGET_PER_MINUTE = 300;

let stack: LocalStack;
let proxy: CountingProxy;
let stateDir: string;
let subjectPrefix: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function perMinute(count: number, windowMs: number): number {
  return (count * 60_000) / windowMs;
}

function byRoute(requests: { method: string; route: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { method, route } of requests) counts[`${method} ${route}`] = (counts[`${method} ${route}`] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  const token = randomBytes(4).toString("hex");
  stateDir = await mkdtemp(join(tmpdir(), "voltstack-budget-"));
  subjectPrefix = `budget${token}.`;
  const devnetPort = await freePort();
  proxy = new CountingProxy(`http://127.0.0.1:${devnetPort}`);
  const proxyUrl = await proxy.start();
  stack = await startLocalStack({
    databaseUrl,
    natsUrl,
    stateDir,
    devnet: { port: devnetPort, blockIntervalMs: 1_000 },
    ports: "free",
    schemaPrefix: `budget_${token}_`,
    subjectPrefix,
    nodeEnv: "test",
    env: { STACKS_API_URL: proxyUrl },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  if (stack) await dropStackState(Object.values(stack.schemas), subjectPrefix);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe("the Stacks API requests of the whole system", () => {
  it(`stays within ${IDLE_BUDGET_PER_MINUTE} requests a minute while idle, whatever the block rate`, async () => {
    // Past start-up (network checks, first reads), then a quiet window.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const idle = proxy.between(from, Date.now());
    console.log(`idle: ${idle.length} requests in ${IDLE_WINDOW_MS / 1000} s`, byRoute(idle));
    expect(perMinute(idle.length, IDLE_WINDOW_MS)).toBeLessThanOrEqual(IDLE_BUDGET_PER_MINUTE);
    // Nothing idle asks for blocks or transactions one by one.
    expect(idle.filter((request) => !request.route.endsWith("/logs"))).toEqual(
      idle.filter((request) => request.route === "/extended" || request.route === "/v2/info"),
    );
  }, 90_000);

  it(`stays within ${DEMO_BUDGET_PER_MINUTE} requests a minute while the demo runs`, async () => {
    const caller = (name: string) => {
      const credential = stack.credentials.find((candidate) => candidate.name === name)!;
      return { apiKey: credential.apiKey, principal: credential.principal };
    };
    const [first, second, third] = stack.stakeholders as [string, string, string];
    const urls = Object.fromEntries(Object.entries(stack.services).map(([name, service]) => [name, service.url]));
    const from = Date.now();
    const report = await runDemo({
      urls: urls as Parameters<typeof runDemo>[0]["urls"],
      // The demo's own balance reads go straight to the devnet: only the services are counted.
      devnetUrl: stack.devnet.url,
      callers: { admin: caller("admin"), ownerA: caller("owner-1"), ownerB: caller("owner-2") },
      stakeholders: [first, second, third],
    });
    const windowMs = Date.now() - from;
    const during = proxy.between(from, from + windowMs);
    console.log(
      `demo: ${during.length} requests in ${(windowMs / 1000).toFixed(1)} s (${perMinute(during.length, windowMs).toFixed(0)}/min)`,
      byRoute(during),
    );
    expect(report.conserved).toBe(true);
    expect(perMinute(during.length, windowMs)).toBeLessThanOrEqual(DEMO_BUDGET_PER_MINUTE);
  }, 180_000);
});
