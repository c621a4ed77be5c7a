import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The CLI against a stand-in service: each command's write carries an Idempotency-Key
// (the one given with --idempotency-key, else a fresh UUID) and a 202 is shown as pending.

const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const TXID = `0x${"cd".repeat(32)}`;

let server: Server;
let baseUrl: string;
let received: Array<{ url: string | undefined; key: string | undefined }>;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received.push({ url: request.url, key: request.headers["idempotency-key"] as string | undefined });
      const pending = request.url === "/facilities/2/approve";
      response.writeHead(pending ? 202 : 200, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          pending
            ? { txid: TXID, status: "pending", poll: `/transactions/${TXID}` }
            : { facilityId: 1, txid: TXID, blockHeight: 9 },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs the CLI asynchronously: the stand-in service answering it runs in this process. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, VOLTSTACK_API_KEY: "vsk_test" };
  for (const service of ["VERIFICATION", "CAPACITY", "FLOW", "GRID", "REVENUE"])
    env[`VOLTSTACK_${service}_URL`] = baseUrl;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPOSITORY, "cli", "bin", "voltstack.js"), ...args],
      { cwd: REPOSITORY, env },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe("the CLI's Idempotency-Key", () => {
  it("sends a fresh key per command, and the given one with --idempotency-key", async () => {
    received = [];
    expect((await cli(["facilities", "approve", "1", "--json"])).status).toBe(0);
    expect((await cli(["facilities", "approve", "1", "--json"])).status).toBe(0);
    expect(received[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[1]!.key).not.toBe(received[0]!.key);
    expect((await cli(["facilities", "approve", "1", "--idempotency-key", "approve-1", "--json"])).status).toBe(0);
    expect(received[2]).toEqual({ url: "/facilities/1/approve", key: "approve-1" });
  }, 60_000);

  it("shows a write still confirming as pending, with where to poll, exit code 3", async () => {
    const shown = await cli(["facilities", "approve", "2", "--idempotency-key", "approve-2"]);
    expect(shown.status).toBe(3);
    expect(shown.stdout).toContain(`pending, poll ${baseUrl}/transactions/${TXID}`);
    expect(shown.stdout).toContain("--idempotency-key approve-2");
    const json = await cli(["facilities", "approve", "2", "--idempotency-key", "approve-2", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      pending: { txid: TXID, poll: `${baseUrl}/transactions/${TXID}`, idempotencyKey: "approve-2" },
    });
  }, 60_000);
});
