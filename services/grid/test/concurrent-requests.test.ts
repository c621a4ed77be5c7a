import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balanceOf, call, confirmedCall, type Harness, startHarness, waitFor } from "./support/grid-harness.js";

// Many one-off requests at once through the per-request path: creates, accepts and
// fulfilments in flight together, many in the same block, against the real devnet,
// PostgreSQL and NATS. READ_MODEL_WAIT_MS=0 makes every write answer as soon as its
// transaction confirmed, before the follower read its block: the next step of a flow then
// always meets a read model that lags the chain, the case that answered 404 REQUEST_NOT_FOUND.
// The admin signs with a pool of four admin keys.

const FLOWS = 60;
const FACILITIES = 3;
const ADMIN_KEYS = 4;
const PERFORMANCE_BPS = 9_500;

let h: Harness;
let escrow: string;
const facilityIds: number[] = [];

async function tipHeight(): Promise<number> {
  const response = await fetch(`${h.devnet.url}/v2/info`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}

beforeAll(async () => {
  h = await startHarness({ adminKeys: ADMIN_KEYS, blockIntervalMs: 500, config: { READ_MODEL_WAIT_MS: "0" } });
  escrow = `${h.accounts.deployer.address}.grid-services`;
  for (let index = 0; index < FACILITIES; index += 1) {
    const registered = await confirmedCall(h, h.accounts.wallet_1, "facility-registry", "register-facility", [
      Cl.stringUtf8(`Concurrent ${index}`),
      Cl.stringUtf8("Rotterdam, NL"),
      Cl.uint(5_000),
      Cl.uint(400),
    ]);
    const facilityId = Number(/\(ok u(\d+)\)/.exec(registered.result)![1]);
    await confirmedCall(h, h.accounts.deployer, "facility-registry", "approve-facility", [Cl.uint(facilityId)]);
    await confirmedCall(h, h.accounts.wallet_1, "capacity-tracking", "initialize-capacity", [
      Cl.uint(facilityId),
      Cl.uint(5_000),
    ]);
    facilityIds.push(facilityId);
  }
}, 300_000);

afterAll(async () => {
  await h?.close();
});

type Step = { step: string; status: number; body: Record<string, unknown> };

/** Create, accept at once, fulfil at once; each step's answer, stopping at the first that is not a success. */
async function flow(
  index: number,
  expiresAt: number,
): Promise<{ requestId?: number; paymentUstx: bigint; steps: Step[] }> {
  const paymentUstx = 1_000_000n + BigInt(index);
  const steps: Step[] = [];
  const created = await call(h, "POST", "/service-requests", {
    key: h.keys.admin,
    body: { serviceType: "peak-shaving", powerKw: 10, energyKwh: 10, paymentUstx: paymentUstx.toString(), expiresAt },
  });
  steps.push({ step: "create", ...created });
  if (created.status !== 201) return { paymentUstx, steps };
  const requestId = created.body.requestId as number;
  const accepted = await call(h, "POST", `/service-requests/${requestId}/accept`, {
    key: h.keys.owner,
    body: { facilityId: facilityIds[index % FACILITIES] },
  });
  steps.push({ step: "accept", ...accepted });
  if (accepted.status !== 200) return { requestId, paymentUstx, steps };
  const fulfilled = await call(h, "POST", `/service-requests/${requestId}/fulfil`, {
    key: h.keys.admin,
    body: { performanceBps: PERFORMANCE_BPS },
  });
  steps.push({ step: "fulfil", ...fulfilled });
  return { requestId, paymentUstx, steps };
}

describe("grid service: concurrent one-off requests", () => {
  it(`takes ${FLOWS} create -> accept -> fulfil flows at once with no failed write, signed over the admin key pool`, async () => {
    const escrowBefore = await balanceOf(h, escrow);
    const expiresAt = (await tipHeight()) + 10_000;
    const flows = await Promise.all(Array.from({ length: FLOWS }, (_, index) => flow(index, expiresAt)));

    const failures = flows.flatMap((f) =>
      f.steps
        .filter((s) => s.status !== (s.step === "create" ? 201 : 200))
        .map((s) => ({ requestId: f.requestId, step: s.step, status: s.status, code: s.body.code, body: s.body })),
    );
    expect(failures).toEqual([]);
    const requestIds = flows.map((f) => f.requestId!);
    expect(new Set(requestIds).size).toBe(FLOWS);

    // Several writes of each kind shared a block.
    const heights = (kind: string) =>
      flows.map((f) => f.steps.find((s) => s.step === kind)!.body.blockHeight as number);
    for (const kind of ["create", "accept", "fulfil"]) expect(new Set(heights(kind)).size).toBeLessThan(FLOWS);

    // Every payout is exact, and the escrow holds what it held before: each payment left it in full.
    for (const f of flows) {
      const fulfil = f.steps.find((s) => s.step === "fulfil")!;
      expect(fulfil.body.payoutUstx).toBe(((f.paymentUstx * BigInt(PERFORMANCE_BPS)) / 10_000n).toString());
    }
    expect(await balanceOf(h, escrow)).toBe(escrowBefore);

    // The creates and fulfilments went out from every key of the pool, none over 25 in flight.
    const { rows } = await h.db.query<{ sender: string; count: number }>(
      `SELECT sender, count(*)::int AS count FROM chain_transactions
          WHERE function_name IN ('create-service-request', 'fulfill-request') AND status = 'confirmed'
          GROUP BY sender`,
    );
    expect(rows).toHaveLength(ADMIN_KEYS);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(2 * FLOWS);
    const { rows: failedRows } = await h.db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM chain_transactions WHERE status <> 'confirmed'",
    );
    expect(failedRows[0]!.count).toBe(0);

    // The read model catches up with all of it, and every fulfilment reached NATS once.
    await waitFor(
      "every request fulfilled in the read model",
      async () => {
        const { rows: done } = await h.db.query<{ count: number }>(
          "SELECT count(*)::int AS count FROM service_requests WHERE id = ANY($1::int[]) AND status = 'fulfilled'",
          [requestIds],
        );
        return done[0]!.count === FLOWS ? true : undefined;
      },
      60_000,
    );
    await waitFor(
      `${FLOWS} service.fulfilled events`,
      () => {
        const ids = h.received
          .filter((r) => r.subject === "service.fulfilled")
          .map((r) => (r.event.payload as { requestId: number }).requestId)
          .filter((id) => requestIds.includes(id));
        return new Set(ids).size === FLOWS ? true : undefined;
      },
      60_000,
    );
  }, 600_000);
});
