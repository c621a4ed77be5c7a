import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blocksAhead } from "../src/commands/expiry.js";
import { runCli } from "../src/run-cli.js";

// The CLI in this process against a stand-in of the five services, acting as the local
// callers a `voltstack up` would have recorded.

const TXID = `0x${"ab".repeat(32)}`;
const OWNER = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const OPERATOR = "ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP";
const STAKEHOLDER = "ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND";

const PAYMENTS = {
  items: [
    { paymentId: 1, distributionId: 1, facilityId: 1, stakeholder: OWNER, shareBps: 5000, amountUstx: "617250000" },
    {
      paymentId: 2,
      distributionId: 1,
      facilityId: 1,
      stakeholder: STAKEHOLDER,
      shareBps: 5000,
      amountUstx: "617250000",
    },
  ],
  totalUstx: "1234500000",
  count: 2,
};
const PAYMENTS_CSV =
  "paymentId,distributionId,facilityId,stakeholder,shareBps,amountUstx\r\n" +
  `1,1,1,${OWNER},5000,617250000\r\n2,1,1,${STAKEHOLDER},5000,617250000\r\n` +
  "total,,,,,1234500000\r\n";

let server: Server;
let home: string;
let received: { method: string; url: string; body: unknown; key: string | undefined }[];
let syncStatus: Record<string, unknown>;

function answer(method: string, url: string): [number, unknown, string?] {
  if (url === "/health/ready") return [200, { status: "ok" }];
  if (url === "/chain-sync/status") return [200, syncStatus];
  if (method === "PUT" && url.startsWith("/facilities/1/operators/"))
    return [200, { facilityId: 1, txid: TXID, blockHeight: 40 }];
  if (method === "POST" && url === "/facilities") return [200, { facilityId: 3, txid: TXID, blockHeight: 41 }];
  if (method === "POST" && url === "/facilities/1/approve") {
    return [
      409,
      { code: "ERR_NOT_PENDING", message: "Facility 1 is approved, not pending.", details: { status: "approved" } },
    ];
  }
  if (url === "/facilities/1") {
    return [
      200,
      {
        id: 1,
        name: "Riverside",
        owner: OWNER,
        operators: [{ operator: OPERATOR, enabled: true, updatedAt: "2026-12-06T06:00:00.000Z" }],
      },
    ];
  }
  if (method === "POST" && url === "/service-requests") return [200, { requestId: 7, txid: TXID, blockHeight: 1000 }];
  if (url === "/service-requests") {
    return [
      200,
      {
        items: [
          { id: 7, serviceType: "frequency-regulation", status: "open", paymentUstx: "1000000007", payoutUstx: "0" },
        ],
        nextAfter: null,
      },
    ];
  }
  if (url === "/facilities/1/payments?format=csv") return [200, PAYMENTS_CSV, "text/csv"];
  if (url === "/facilities/1/payments") return [200, PAYMENTS];
  return [404, { code: "NOT_FOUND", message: `${method} ${url}`, details: null }];
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const method = request.method!;
      const url = request.url!;
      received.push({
        method,
        url,
        body: raw ? JSON.parse(raw) : undefined,
        key: request.headers["idempotency-key"] as string | undefined,
      });
      const [status, body, type] = answer(method, url);
      response.writeHead(status, { "content-type": type ?? "application/json" });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = await mkdtemp(join(tmpdir(), "voltstack-cli-"));
  const urls = Object.fromEntries(["verification", "capacity", "flow", "grid", "revenue"].map((name) => [name, url]));
  await writeFile(join(home, "stack.json"), JSON.stringify({ urls, devnetUrl: url, stakeholders: [STAKEHOLDER] }));
  await writeFile(
    join(home, "credentials.json"),
    JSON.stringify([
      { name: "admin", role: "admin", principal: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM", apiKey: "vsk_admin" },
      { name: "owner-1", role: "owner", principal: OWNER, apiKey: "vsk_owner1" },
      { name: "operator", role: "operator", principal: OPERATOR, apiKey: "vsk_operator" },
    ]),
  );
  process.env.VOLTSTACK_HOME = home;
  delete process.env.VOLTSTACK_API_KEY;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(home, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
  syncStatus = { tipHeight: 1000, followerHeight: 1000, lagBlocks: 0, caughtUp: true, secondsPerBlock: 5 };
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
  });
  return { code, stdout, stderr };
}

describe("operator delegation", () => {
  it("enables and disables an operator for a facility as its owner, by principal or local caller name", async () => {
    const enabled = await cli("--as", "owner-1", "operators", "enable", "1", "operator");
    expect(enabled).toMatchObject({ code: 0, stderr: "" });
    expect(enabled.stdout).toContain(`operator ${OPERATOR} enabled for facility 1: confirmed in block 40, tx ${TXID}`);
    const disabled = await cli("--as", "owner-1", "operators", "disable", "1", OPERATOR, "--json");
    expect(JSON.parse(disabled.stdout)).toEqual({ facilityId: 1, txid: TXID, blockHeight: 40 });
    expect(received.map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: "PUT", url: `/facilities/1/operators/${OPERATOR}`, body: { enabled: true } },
      { method: "PUT", url: `/facilities/1/operators/${OPERATOR}`, body: { enabled: false } },
    ]);
    expect(received.every((request) => request.key !== undefined)).toBe(true);
  });

  it("lists a facility's operators, and refuses a name that is no principal nor local caller", async () => {
    const listed = await cli("operators", "list", "1");
    expect(listed.stdout).toMatch(new RegExp(`^${OPERATOR}\\s+yes\\s+2026-12-06`, "m"));
    const unknown = await cli("--as", "owner-1", "operators", "enable", "1", "opertor");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '"opertor" is neither a Stacks principal nor a local caller (admin, owner-1, operator)',
    );
  });

  it("registers for the acting owner when --owner is left out, and says how to approve", async () => {
    const registered = await cli(
      "--as",
      "owner-1",
      "facilities",
      "register",
      "--name",
      "Quay",
      "--capacity-kwh",
      "10",
      "--max-power-kw",
      "5",
    );
    expect(received[0]!.body).toMatchObject({ owner: OWNER, name: "Quay" });
    expect(registered.stdout).toContain(
      "facility 3 registered, pending review (an admin: voltstack facilities approve 3)",
    );
  });
});

describe("local callers", () => {
  it("suggests the caller a mistyped --as meant", async () => {
    const refused = await cli("--as", "owner1", "status");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'UNKNOWN_CALLER: No local caller named owner1; the callers are admin, owner-1, operator. Did you mean "owner-1"?\n',
    );
  });
});

describe("facilities approve", () => {
  it("says where the facilities waiting for review are when the one named is not pending", async () => {
    const refused = await cli("facilities", "approve", "1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "POST /facilities/1/approve refused: ERR_NOT_PENDING (HTTP 409): Facility 1 is approved, not pending. " +
        "The facilities waiting for review: voltstack facilities list --status pending\n",
    );
  });
});

describe("status", () => {
  it("shows the chain's tip and each service's readiness, follower height and lag", async () => {
    syncStatus = { tipHeight: 1000, followerHeight: 997, lagBlocks: 3, caughtUp: false, secondsPerBlock: 5 };
    const shown = await cli("status");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("chain tip: block 1000, a block every 5 s on average");
    expect(shown.stdout).toMatch(/^grid\s+yes\s+997\s+3\s+catching up$/m);
    const json = JSON.parse((await cli("status", "--json")).stdout);
    expect(json.tipHeight).toBe(1000);
    expect(json.services).toHaveLength(5);
    expect(json.services[0]).toMatchObject({ service: "verification", ready: true, followerHeight: 997, lagBlocks: 3 });
  });
});

describe("requests create", () => {
  it("turns --expires-in minutes into a height at the chain's block interval, and takes the payment in STX", async () => {
    const created = await cli(
      "requests",
      "create",
      "--type",
      "frequency-regulation",
      "--power-kw",
      "800",
      "--energy-kwh",
      "1500",
      "--payment",
      "1,000.000007",
      "--expires-in",
      "30",
    );
    expect(created.code).toBe(0);
    // 30 min at a block every 5 s: 360 blocks after the tip.
    expect(received.at(-1)!.body).toEqual({
      serviceType: "frequency-regulation",
      powerKw: 800,
      energyKwh: 1500,
      paymentUstx: "1000000007",
      expiresAt: 1360,
    });
    expect(created.stdout).toContain(
      "request 7 created, 1,000.000007 STX escrowed, expires at block 1360 (tip 1000 + 360 blocks: 30 min at a block every 5 s)",
    );
  });

  it("needs exactly one expiry and one payment", async () => {
    const both = await cli(
      "requests",
      "create",
      "--type",
      "frequency-regulation",
      "--payment-ustx",
      "5",
      "--expires-in",
      "3",
      "--expires-at",
      "9",
    );
    expect(both).toMatchObject({ code: 2 });
    expect(both.stderr).toContain("either --expires-in <minutes> or --expires-at <block height>");
    const none = await cli("requests", "create", "--type", "frequency-regulation", "--expires-at", "9");
    expect(none.stderr).toContain("either --payment <STX> or --payment-ustx <micro-STX>");
    expect(received.filter((request) => request.method === "POST")).toEqual([]);
  });

  it("rounds the blocks up, and refuses a duration while the block interval is unknown", () => {
    expect(blocksAhead({ tipHeight: 10, secondsPerBlock: 7 }, 1).expiresAt).toBe(19);
    expect(() => blocksAhead({ tipHeight: 10, secondsPerBlock: null }, 1)).toThrow(/give --expires-at/);
  });
});

describe("amounts", () => {
  it("shows STX with separators by default, micro-STX with --ustx, and exact strings in JSON", async () => {
    expect((await cli("requests", "list")).stdout).toMatch(/1,000\.000007 STX\s+0\.000000 STX/);
    expect((await cli("requests", "list", "--ustx")).stdout).toMatch(/1000000007 µSTX\s+0 µSTX/);
    const json = JSON.parse((await cli("requests", "list", "--json", "--ustx")).stdout);
    expect(json.items[0].paymentUstx).toBe("1000000007");
  });
});

describe("payments list --csv", () => {
  it("writes one row per payment and no summary row, the totals on stderr", async () => {
    const exported = await cli("payments", "list", "--facility", "1", "--csv");
    expect(exported.code).toBe(0);
    const rows = exported.stdout.trimEnd().split("\r\n");
    expect(rows).toHaveLength(3);
    expect(rows.some((row) => row.startsWith("total"))).toBe(false);
    expect(exported.stderr).toBe("2 payments, total 1,234.500000 STX\n");
    expect((await cli("payments", "list", "--facility", "1", "--csv", "--ustx")).stderr).toBe(
      "2 payments, total 1234500000 µSTX\n",
    );
  });

  it("keeps the totals under the table for people", async () => {
    const shown = await cli("payments", "list", "--facility", "1");
    expect(shown.stdout.trimEnd().split("\n").at(-1)).toBe("2 payments, total 1,234.500000 STX");
  });
});
