const USTX_PER_STX = 1_000_000n;

/** How amounts are shown to people: STX with separators (the default) or micro-STX integers (`--ustx`). */
export type AmountUnit = "stx" | "ustx";

/** An amount as the services give it: micro-STX as a string, a number or a bigint. */
export type Ustx = bigint | string | number;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Micro-STX as STX with thousands separators and all six decimals, exact (never through a float). */
export function formatStx(ustx: Ustx): string {
  const amount = BigInt(ustx);
  const sign = amount < 0n ? "-" : "";
  const magnitude = amount < 0n ? -amount : amount;
  const whole = groupThousands((magnitude / USTX_PER_STX).toString());
  return `${sign}${whole}.${(magnitude % USTX_PER_STX).toString().padStart(6, "0")} STX`;
}

/** Micro-STX as the integer it is, for scripts and for the commands' `-ustx` options. */
export function formatUstx(ustx: Ustx): string {
  return `${BigInt(ustx)} µSTX`;
}

export function amountFormatter(unit: AmountUnit): (ustx: Ustx) => string {
  return unit === "ustx" ? formatUstx : formatStx;
}

/**
 * STX as a person types them ("1,000.5", "0.000001") in micro-STX, exact. Null when the
 * text is not a non-negative amount with at most six decimals.
 */
export function parseStx(text: string): bigint | null {
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) return null;
  const whole = BigInt(match[1]!.replace(/,/g, ""));
  const fraction = BigInt((match[2] ?? "").padEnd(6, "0"));
  return whole * USTX_PER_STX + fraction;
}
