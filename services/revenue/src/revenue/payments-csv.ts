import type { PaymentHistory } from "@voltstack/api";

const COLUMNS = [
  "paymentId",
  "distributionId",
  "facilityId",
  "stakeholder",
  "shareBps",
  "amountUstx",
  "txid",
  "blockHeight",
  "paidAt",
  "source",
] as const;

// RFC 4180; every value here is a number, a principal, a txid or a timestamp, but quote defensively.
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Payments as CSV for accounting: a header, then one row per payment and nothing else (an
 * importer would read a summary row as a payment); micro-STX as integers. The count and the
 * total travel in the answer's headers (X-Total-Count, X-Total-Ustx).
 */
export function paymentsCsv(history: PaymentHistory): string {
  const lines = [COLUMNS.join(",")];
  for (const item of history.items) lines.push(COLUMNS.map((column) => field(item[column])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
