import type { BenchFacility, Owner } from "./facility-setup.js";
import { eachLimited, type HttpWrites } from "./http-writes.js";
import type { PayoutTracker } from "./payout-tracker.js";
import { REQUEST } from "./workload.js";

/** One request's way through the system; times in ms since the epoch. */
export interface RequestTrace {
  index: number;
  facilityId: number;
  startedAtMs: number;
  requestId?: number;
  createdAtMs?: number;
  createdBlock?: number;
  acceptedAtMs?: number;
  fulfilledAtMs?: number;
  fulfilledBlock?: number;
  payoutUstx?: bigint;
  paidAtMs?: number;
  paidBlock?: number;
  /** The step that failed, when one did. */
  failedStep?: string;
}

export interface PerRequestRun {
  traces: RequestTrace[];
  /** From the first request sent to the last payout seen (or the last write, when nothing was paid). */
  startedAtMs: number;
  lastWriteAtMs: number;
  endedAtMs: number;
  /** Requests still unpaid when the wait for payouts ran out. */
  unpaid: number;
}

/**
 * Sends `count` one-off requests through the per-request path over HTTP, `concurrency` at
 * a time: the admin creates each (payment escrowed), the facility's owner accepts it, the
 * admin fulfils it at 95 %; then the revenue service pays the stakeholders on its own. A
 * request's HTTP steps hold a concurrency slot; its payout is awaited outside it.
 */
export async function runPerRequestLoad(options: {
  writes: HttpWrites;
  facilities: readonly BenchFacility[];
  admin: Owner;
  tracker: PayoutTracker;
  count: number;
  concurrency: number;
  /** Stop starting new requests after this (0: no limit). */
  durationMs: number;
  tipHeight: () => Promise<number>;
  /** How long to wait for the last payouts after the last write. */
  payoutWaitMs: number;
  onProgress?: (line: string) => void;
}): Promise<PerRequestRun> {
  const { writes, admin, tracker } = options;
  const traces: RequestTrace[] = [];
  const payouts: Promise<unknown>[] = [];
  const startedAtMs = Date.now();
  const stopStartingAt = options.durationMs > 0 ? startedAtMs + options.durationMs : Infinity;
  let expiresAt = (await options.tipHeight()) + REQUEST.expiresInBlocks;
  const progressTimer = setInterval(() => {
    const done = traces.filter((trace) => trace.fulfilledAtMs !== undefined).length;
    const failed = traces.filter((trace) => trace.failedStep !== undefined).length;
    options.onProgress?.(
      `  ${traces.length} sent, ${done} fulfilled, ${tracker.paid.size} paid, ${failed} failed (${Math.round((Date.now() - startedAtMs) / 1000)} s)`,
    );
  }, 10_000);

  const indexes = Array.from({ length: options.count }, (_, index) => index);
  try {
    await eachLimited(indexes, options.concurrency, async (index) => {
      if (Date.now() >= stopStartingAt) return;
      const facility = options.facilities[index % options.facilities.length]!;
      const trace: RequestTrace = { index, facilityId: facility.facilityId, startedAtMs: Date.now() };
      traces.push(trace);
      if (index % 50 === 49) expiresAt = (await options.tipHeight()) + REQUEST.expiresInBlocks;
      let step = "create";
      try {
        const created = await writes.write("create", admin.apiKey, (client) =>
          client.grid.createRequest({
            serviceType: REQUEST.serviceType,
            powerKw: REQUEST.powerKw,
            energyKwh: REQUEST.energyKwh,
            paymentUstx: REQUEST.paymentUstx.toString(),
            expiresAt,
          }),
        );
        trace.requestId = created.requestId;
        trace.createdAtMs = Date.now();
        trace.createdBlock = created.blockHeight;
        const requestId = created.requestId;
        step = "accept";
        await writes.write("accept", facility.owner.apiKey, (client) =>
          client.grid.accept(requestId, { facilityId: facility.facilityId }),
        );
        trace.acceptedAtMs = Date.now();
        step = "fulfil";
        const fulfilled = await writes.write("fulfil", admin.apiKey, (client) =>
          client.grid.fulfil(requestId, { performanceBps: REQUEST.performanceBps }),
        );
        trace.fulfilledAtMs = Date.now();
        trace.fulfilledBlock = fulfilled.blockHeight;
        trace.payoutUstx = BigInt(fulfilled.payoutUstx);
        payouts.push(
          tracker.paidOut(requestId).then((payout) => {
            trace.paidAtMs = payout.paidAtMs;
            if (payout.blockHeight !== undefined) trace.paidBlock = payout.blockHeight;
          }),
        );
      } catch {
        // HttpWrites recorded the failure with its code.
        trace.failedStep = step;
      }
    });
    const lastWriteAtMs = Date.now();
    await Promise.race([Promise.all(payouts), new Promise((resolve) => setTimeout(resolve, options.payoutWaitMs))]);
    const paidTimes = traces.flatMap((trace) => (trace.paidAtMs === undefined ? [] : [trace.paidAtMs]));
    return {
      traces,
      startedAtMs,
      lastWriteAtMs,
      endedAtMs: paidTimes.length > 0 ? Math.max(...paidTimes) : lastWriteAtMs,
      unpaid: traces.filter((trace) => trace.fulfilledAtMs !== undefined && trace.paidAtMs === undefined).length,
    };
  } finally {
    clearInterval(progressTimer);
  }
}
