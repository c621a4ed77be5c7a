import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, confirmedCall, type Harness, startHarness, waitFor } from "./support/grid-harness.js";

// Oracles over the API: an admin enables a principal with set-oracle, the follower keeps
// frequency_oracles (for wallet calls too), and the contract then takes that principal's
// reports. Its own devnet, which starts with no oracle: the meter's key (operator role,
// signing as wallet_3) is refused until the API enables it.

let h: Harness;
let meter: string;
let reported: { txid: string; blockHeight: number };

type OracleAnswer = { oracle: string; enabled: boolean; txid: string; blockHeight: number };
type ReadingView = { id: number; frequencyMhz: number; decision: string; written: boolean; txid: string | null };

const at = (seconds: number) => new Date(Date.parse("2026-11-24T09:00:00.000Z") + seconds * 1_000).toISOString();

async function oracles(): Promise<Record<string, unknown>[]> {
  return (await call(h, "GET", "/frequency/oracles")).body.items as Record<string, unknown>[];
}

async function journalSize(): Promise<number> {
  return (await h.db.query("SELECT count(*)::int AS n FROM chain_transactions")).rows[0].n as number;
}

beforeAll(async () => {
  h = await startHarness();
  meter = h.accounts.wallet_3.address;
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("grid service: frequency oracles", () => {
  it("lets only admins set an oracle, and validates the principal and the body", async () => {
    const before = await journalSize();
    const cases: [string | undefined, string, unknown, number, string][] = [
      [undefined, meter, { enabled: true }, 401, "UNAUTHENTICATED"],
      [h.keys.owner, meter, { enabled: true }, 403, "ROLE_NOT_ALLOWED"],
      [h.keys.meter, meter, { enabled: true }, 403, "ROLE_NOT_ALLOWED"],
      [h.keys.admin, "not-a-principal", { enabled: true }, 400, "VALIDATION_FAILED"],
      [h.keys.admin, meter, { enabled: "yes" }, 400, "VALIDATION_FAILED"],
      [h.keys.admin, meter, {}, 400, "VALIDATION_FAILED"],
    ];
    for (const [key, principal, body, status, code] of cases) {
      const response = await call(h, "PUT", `/frequency/oracles/${principal}`, { ...(key ? { key } : {}), body });
      expect([principal, response.status, response.body.code]).toEqual([principal, status, code]);
    }
    expect(await journalSize()).toBe(before);
    expect(await oracles()).toEqual([]);
  });

  it("refuses the meter's reading with ERR_NOT_REPORTER while its principal is not an oracle", async () => {
    const response = await call(h, "POST", "/frequency/readings", {
      key: h.keys.meter,
      body: { frequencyMhz: 49_000, measuredAt: at(0) },
    });
    expect([response.status, response.body.code]).toEqual([403, "ERR_NOT_REPORTER"]);
  });

  it("enables an oracle over the API: frequency.oracle.set on NATS, the oracle in the read model", async () => {
    const response = await call(h, "PUT", `/frequency/oracles/${meter}`, {
      key: h.keys.admin,
      body: { enabled: true },
    });
    expect(response.status).toBe(200);
    const answer = response.body as unknown as OracleAnswer;
    expect(answer).toEqual({
      oracle: meter,
      enabled: true,
      txid: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      blockHeight: expect.any(Number),
    });
    const message = await waitFor("frequency.oracle.set", () =>
      h.received.find((r) => r.subject === "frequency.oracle.set" && r.event.chain?.txId === answer.txid),
    );
    expect(message.event.chain!.blockHeight).toBe(answer.blockHeight);
    expect(message.event.payload).toEqual({ oracle: meter, enabled: true });
    // The write answers once the follower read its block: no waiting for the read model.
    expect(await oracles()).toEqual([
      {
        oracle: meter,
        enabled: true,
        lastTxid: answer.txid,
        lastHeight: answer.blockHeight,
        updatedAt: expect.any(String),
      },
    ]);
  });

  it("takes the oracle's deviating reading, and still refuses an operator that is no oracle", async () => {
    const response = await call(h, "POST", "/frequency/readings", {
      key: h.keys.meter,
      body: { frequencyMhz: 49_000, measuredAt: at(10) },
    });
    expect(response.status).toBe(200);
    const reading = (
      response.body.readings as { decision: string; deviating: boolean; txid: string; blockHeight: number }[]
    )[0]!;
    expect(reading).toMatchObject({ decision: "state-change", deviating: true, txid: expect.any(String) });
    reported = { txid: reading.txid, blockHeight: reading.blockHeight };
    const deviation = await waitFor("frequency.deviation", () =>
      h.received.find((r) => r.subject === "frequency.deviation" && r.event.chain?.txId === reading.txid),
    );
    expect(deviation.event.payload).toMatchObject({ frequencyMilliHz: 49_000, deviating: true, reporter: meter });

    // Back in band: a state change, so it goes to the chain, which refuses wallet_2.
    const refused = await call(h, "POST", "/frequency/readings", {
      key: h.keys.facilityOperator,
      body: { frequencyMhz: 50_000, measuredAt: at(20) },
    });
    expect([refused.status, refused.body.code]).toEqual([403, "ERR_NOT_REPORTER"]);
    expect((await call(h, "GET", "/frequency/status")).body).toMatchObject({ lastReporter: meter, deviating: true });
  });

  it("follows an oracle set from the admin's wallet, and disables it over the API", async () => {
    const operator = h.accounts.wallet_2.address;
    const fromWallet = await confirmedCall(h, h.accounts.deployer, "grid-services", "set-oracle", [
      Cl.principal(operator),
      Cl.bool(true),
    ]);
    await waitFor("the wallet's oracle in the read model", async () =>
      (await oracles()).find((o) => o.oracle === operator && o.lastTxid === fromWallet.txid),
    );
    const response = await call(h, "PUT", `/frequency/oracles/${operator}`, {
      key: h.keys.admin,
      body: { enabled: false },
    });
    expect(response.status).toBe(200);
    const disabled = response.body as unknown as OracleAnswer;
    expect(disabled).toMatchObject({ oracle: operator, enabled: false });
    expect(await oracles()).toEqual([
      expect.objectContaining({
        oracle: operator,
        enabled: false,
        lastTxid: disabled.txid,
        lastHeight: disabled.blockHeight,
      }),
      expect.objectContaining({ oracle: meter, enabled: true }),
    ]);
    const message = await waitFor("frequency.oracle.set (disabled)", () =>
      h.received.find((r) => r.subject === "frequency.oracle.set" && r.event.chain?.txId === disabled.txid),
    );
    expect(message.event.payload).toEqual({ oracle: operator, enabled: false });
  });

  it("pages the ingested readings newest first, with decision, txid and block height", async () => {
    const batch = await call(h, "POST", "/frequency/readings", {
      key: h.keys.meter,
      body: {
        readings: [
          { frequencyMhz: 49_100, measuredAt: at(30) }, // still out of band, within the cadence: skipped
          { frequencyMhz: 49_200, measuredAt: at(40) }, // skipped
          { frequencyMhz: 49_300, measuredAt: at(80) }, // 70 s after the last report: cadence
        ],
      },
    });
    expect(batch.status).toBe(200);
    const cadence = (batch.body.readings as { txid: string; blockHeight: number }[])[2]!;

    const first = await call(h, "GET", "/frequency/readings?limit=3", { key: h.keys.admin });
    expect(first.status).toBe(200);
    const firstItems = first.body.items as ReadingView[];
    expect(firstItems.map((r) => [r.frequencyMhz, r.decision, r.written])).toEqual([
      [49_300, "cadence", true],
      [49_200, "skipped", false],
      [49_100, "skipped", false],
    ]);
    expect(firstItems[0]).toMatchObject({ txid: cadence.txid, blockHeight: cadence.blockHeight, source: "meter-key" });
    expect(firstItems[1]).toMatchObject({ txid: null, blockHeight: null });
    expect(first.body.nextAfter).toBe(firstItems[2]!.id);

    const next = await call(h, "GET", `/frequency/readings?after=${first.body.nextAfter as number}`, {
      key: h.keys.meter,
    });
    expect(next.body.items).toEqual([
      expect.objectContaining({
        frequencyMhz: 49_000,
        decision: "state-change",
        deviating: true,
        written: true,
        txid: reported.txid,
        blockHeight: reported.blockHeight,
        measuredAt: at(10),
      }),
    ]);
    expect(next.body.nextAfter).toBeNull();

    expect((await call(h, "GET", "/frequency/readings", { key: h.keys.owner })).status).toBe(403);
    for (const query of ["limit=0", "limit=1000", "after=-1", "after=x", "page=2"]) {
      const response = await call(h, "GET", `/frequency/readings?${query}`, { key: h.keys.admin });
      expect([query, response.status, response.body.code]).toEqual([query, 400, "VALIDATION_FAILED"]);
    }
  });

  it("rebuilds the oracles from the chain on a re-sync", async () => {
    const before = await oracles();
    await h.db.query("UPDATE frequency_oracles SET enabled = NOT enabled, last_height = 0");
    await h.db.query("DELETE FROM frequency_oracles WHERE oracle = $1", [meter]);
    const response = await call(h, "POST", "/admin/resync", { key: h.keys.admin, body: { fromHeight: 0 } });
    expect(response.status).toBe(200);
    expect(await oracles()).toEqual(before);
  });

  it("documents the oracle and readings operations", async () => {
    const { body } = await call(h, "GET", "/docs/json");
    const paths = body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths["/frequency/oracles"]!)).toEqual(["get"]);
    expect(Object.keys(paths["/frequency/oracles/{principal}"]!)).toEqual(["put"]);
    expect(Object.keys(paths["/frequency/readings"]!).sort()).toEqual(["get", "post"]);
  });
});
