// What every fulfilment of the benchmark asks for, on the HTTP path and in the simnet
// ceiling alike, so the two measure the same work.

export const FACILITY = { capacityKwh: 5_000, maxPowerKw: 1_000, storedKwh: 4_000 } as const;
export const REQUEST = {
  serviceType: "frequency-regulation",
  powerKw: 200,
  energyKwh: 50,
  // Odd on purpose: every split has a rounding remainder.
  paymentUstx: 1_000_007n,
  performanceBps: 9_500,
  expiresInBlocks: 2_000,
} as const;
/** Three stakeholders per facility, 50 / 30 / 20 %. */
export const SHARE_BPS = [5_000, 3_000, 2_000] as const;

/** The payout the contract computes: payment x performance / 10,000, rounded down. */
export const payoutOf = (paymentUstx: bigint, performanceBps: number): bigint =>
  (paymentUstx * BigInt(performanceBps)) / 10_000n;
