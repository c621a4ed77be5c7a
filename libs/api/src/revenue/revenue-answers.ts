import { z } from "zod";
import {
  bpsField,
  chainWriteAnswer,
  integerField,
  principalField,
  timestampField,
  txidField,
  ustxField,
} from "../fields/answer-fields.js";

export const setSharesAnswer = chainWriteAnswer({ facilityId: integerField, sharesVersion: integerField });

export const distributeAnswer = chainWriteAnswer({ facilityId: integerField, distributionId: integerField });

const sharesAnswer = z.array(z.object({ stakeholder: principalField, shareBps: bpsField }));

/** A facility's pool and current split; micro-STX as decimal strings. */
export const poolAnswer = z.object({
  facilityId: integerField,
  balanceUstx: ustxField,
  depositedUstx: ustxField,
  distributedUstx: ustxField,
  sharesVersion: integerField,
  shares: sharesAnswer,
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

const paymentAnswer = z.object({
  paymentId: integerField,
  distributionId: integerField,
  facilityId: integerField,
  stakeholder: principalField,
  shareBps: bpsField,
  amountUstx: ustxField,
  txid: txidField,
  blockHeight: integerField,
  paidAt: timestampField,
  source: z.string().meta({ description: "pool, or where the money came from (a program's earnings)" }),
});

export const paymentsAnswer = z.object({
  items: z.array(paymentAnswer),
  totalUstx: ustxField,
  count: integerField,
});

export const paymentsCsvAnswer = z
  .string()
  .meta({ description: "The same payments as CSV, one line each, for accounting" });

export type SetSharesResult = z.output<typeof setSharesAnswer>;
export type DistributeResult = z.output<typeof distributeAnswer>;
export type RevenuePool = z.output<typeof poolAnswer>;
export type Payment = z.output<typeof paymentAnswer>;
export type PaymentHistory = z.output<typeof paymentsAnswer>;
