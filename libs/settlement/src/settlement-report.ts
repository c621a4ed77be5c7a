/**
 * One settlement of one cohort of a grid-services program for one period, as `settle-period`
 * records it: the program's terms, then one line per slot of the cohort, in slot order.
 * Every figure is an integer in its smallest unit.
 */
export interface SettlementReport {
  /** A label for readers ("mainnet", "testnet", "devnet"); not part of the hash. */
  network?: string;
  /** The grid-services contract that settled, `address.contract-name`. */
  contract: string;
  programId: bigint;
  cohort: bigint;
  period: bigint;
  /** The program's product, e.g. "frequency-regulation" (Clarity string-ascii 32). */
  product: string;
  /** uSTX per committed kW per period, scaled by performance. */
  capacityPriceUstx: bigint;
  /** uSTX per delivered kWh. */
  energyPriceUstx: bigint;
  /** Aligned with the cohort's slots: line i is slot i. */
  lines: SettlementLine[];
}

export interface SettlementLine {
  slot: bigint;
  facilityId: bigint;
  committedKw: bigint;
  performanceBps: bigint;
  deliveredKwh: bigint;
  amountUstx: bigint;
}

/** What the root commits to besides the lines; what a verifier needs with one line and its proof. */
export interface SettlementHeader {
  contract: string;
  programId: bigint;
  cohort: bigint;
  period: bigint;
  product: string;
  capacityPriceUstx: bigint;
  energyPriceUstx: bigint;
  lineCount: number;
}

/** settle-period takes a (list 100 ...): a cohort has at most 100 slots. */
export const MAX_REPORT_LINES = 100;

/** settle-period refuses a performance above 100 % (ERR_INVALID_PERFORMANCE). */
export const FULL_PERFORMANCE_BPS = 10_000n;

/** Clarity's uint: every figure, and every intermediate product of the amount rule, stays below 2^128. */
export const MAX_UINT128 = (1n << 128n) - 1n;

export function reportHeader(report: SettlementReport): SettlementHeader {
  return {
    contract: report.contract,
    programId: report.programId,
    cohort: report.cohort,
    period: report.period,
    product: report.product,
    capacityPriceUstx: report.capacityPriceUstx,
    energyPriceUstx: report.energyPriceUstx,
    lineCount: report.lines.length,
  };
}
