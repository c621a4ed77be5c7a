import { buildReport, type SettlementReport } from "../src/index.js";

/** The worked example of docs/settlement-reports.md. */
export function exampleReport(): SettlementReport {
  return buildReport({
    network: "devnet",
    contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services",
    programId: 1n,
    cohort: 0n,
    period: 3n,
    product: "frequency-regulation",
    capacityPriceUstx: 1500n,
    energyPriceUstx: 20n,
    lines: [
      { facilityId: 7n, committedKw: 250n, performanceBps: 9500n, deliveredKwh: 240n },
      { facilityId: 12n, committedKw: 100n, performanceBps: 10_000n, deliveredKwh: 0n },
      { facilityId: 31n, committedKw: 41n, performanceBps: 3333n, deliveredKwh: 15n },
    ],
  });
}

/** A report of `size` lines whose figures vary with the slot. */
export function reportOfSize(size: number, period = 0n): SettlementReport {
  return buildReport({
    contract: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.grid-services",
    programId: 4n,
    cohort: 2n,
    period,
    product: "afrr",
    capacityPriceUstx: 1_234_567n,
    energyPriceUstx: 891n,
    lines: Array.from({ length: size }, (_, slot) => ({
      facilityId: BigInt(1000 + slot * 7),
      committedKw: BigInt(10 + slot * 13),
      performanceBps: BigInt((slot * 997) % 10_001),
      deliveredKwh: BigInt(slot % 5 === 0 ? 0 : slot * 3),
    })),
  });
}
