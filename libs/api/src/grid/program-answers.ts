import { z } from "zod";
import {
  chainWriteAnswer,
  figureField,
  integerField,
  itemsAnswer,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
  ustxField,
} from "../fields/answer-fields.js";

export const PROGRAM_STATUSES = ["active", "closed", "cancelled"] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

export const createProgramAnswer = chainWriteAnswer({ programId: integerField });

/** What cancelling or closing a program answers: the budget that went back to the operator. */
export const programRefundAnswer = chainWriteAnswer({ programId: integerField, refundUstx: ustxField });

export const releaseCohortAnswer = chainWriteAnswer({
  programId: integerField,
  cohort: integerField,
  releasedKwh: figureField,
});

export const enrolAnswer = chainWriteAnswer({
  programId: integerField,
  facilityId: integerField,
  cohort: integerField,
  slot: integerField,
});

export const withdrawAnswer = chainWriteAnswer({
  programId: integerField,
  facilityId: integerField,
  untilPeriod: integerField,
});

/** A program; micro-STX as decimal strings, periods counted in blocks. */
export const programAnswer = z.object({
  id: integerField,
  product: z.string(),
  unit: z.string().nullable().meta({ description: "kw or kwh; null for a product outside the catalogue" }),
  operator: principalField,
  startHeight: integerField,
  periodBlocks: integerField,
  periodCount: integerField,
  endHeight: integerField.meta({ description: "First block after the last period" }),
  settleWindow: integerField,
  settleUntilHeight: integerField.meta({ description: "Settlements are accepted below this height" }),
  capacityPriceUstx: ustxField,
  energyPriceUstx: ustxField,
  budgetUstx: ustxField,
  settledUstx: ustxField,
  distributedUstx: ustxField,
  refundUstx: ustxField,
  remainingUstx: ustxField.meta({ description: "budget - settled - refund: what settlements may still pay" }),
  status: z.enum(PROGRAM_STATUSES),
  createdTxid: txidField,
  createdHeight: integerField,
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

export const programPageAnswer = pageAnswer(programAnswer);

/** A facility's slot in a program; it earns in periods fromPeriod <= p < untilPeriod (periodCount while enrolled). */
export const enrolmentAnswer = z.object({
  programId: integerField,
  facilityId: integerField,
  cohort: integerField,
  slot: integerField,
  committedKw: figureField,
  reservedKwh: figureField,
  fromPeriod: integerField,
  untilPeriod: integerField,
  withdrawn: z.boolean(),
  released: z.boolean(),
  enrolledBy: principalField,
  earnedUstx: ustxField,
  paidUstx: ustxField,
  createdTxid: txidField,
  createdHeight: integerField,
});

export const enrolmentPageAnswer = pageAnswer(enrolmentAnswer);

export const settlementAnswer = z.object({
  programId: integerField,
  cohort: integerField,
  period: integerField,
  reportHash: z.string(),
  totalUstx: ustxField,
  settledBy: principalField,
  txid: txidField,
  blockHeight: integerField,
});

export const settlementsAnswer = itemsAnswer(settlementAnswer);

/** A cohort's period settled now, or waiting for the facilities whose performance is not posted. */
export const settleOutcomeAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("settled"),
    programId: integerField,
    cohort: integerField,
    period: integerField,
    reportHash: z.string(),
    totalUstx: ustxField,
    lineCount: integerField,
    zeroed: z.array(integerField).meta({ description: "Enrolled facilities settled at 0: no performance was posted" }),
    txid: txidField,
    blockHeight: integerField,
  }),
  z.object({
    status: z.literal("waiting"),
    programId: integerField,
    cohort: integerField,
    period: integerField,
    missing: z.array(integerField).meta({ description: "Enrolled facilities whose performance is not posted yet" }),
  }),
]);

/** A cohort whose settlement was refused (the budget is spent, say): the performances stay recorded. */
const refusedSettlementAnswer = z.object({
  status: z.literal("refused"),
  programId: integerField,
  cohort: integerField,
  period: integerField,
  code: z.string(),
  message: z.string(),
  details: z.unknown(),
});

/** Each cohort the posted facilities belong to: settled now, waiting for the facilities listed, or refused. */
export const performancesAnswer = z.object({
  programId: integerField,
  period: integerField,
  stored: integerField,
  cohorts: z.array(z.union([settleOutcomeAnswer, refusedSettlementAnswer])),
});

/** The verification format of docs/settlement-reports.md: every figure a decimal string, as it is hashed. */
const reportPart = z.looseObject({}).meta({ description: "As docs/settlement-reports.md specifies" });

export const settlementReportAnswer = z.object({ settlement: settlementAnswer, report: reportPart });

export const settlementLineAnswer = z.object({
  settlement: settlementAnswer,
  facilityId: integerField,
  line: reportPart,
  header: reportPart,
  proof: reportPart,
});

export const settlementSweepAnswer = z.object({
  height: integerField,
  settled: z.array(
    z.object({
      programId: integerField,
      cohort: integerField,
      period: integerField,
      txid: txidField,
      zeroed: integerField,
    }),
  ),
  failed: z.array(
    z.object({
      programId: integerField,
      cohort: integerField,
      period: integerField,
      code: z.string(),
      message: z.string(),
    }),
  ),
  closed: z.array(z.object({ programId: integerField, refundUstx: ustxField, txid: txidField })),
  released: z.array(
    z.object({ programId: integerField, cohort: integerField, releasedKwh: figureField, txid: txidField }),
  ),
  endFailed: z.array(
    z.object({ programId: integerField, cohort: integerField.nullable(), code: z.string(), message: z.string() }),
  ),
});

export type CreateProgramResult = z.output<typeof createProgramAnswer>;
export type ProgramRefund = z.output<typeof programRefundAnswer>;
export type ReleaseCohortResult = z.output<typeof releaseCohortAnswer>;
export type EnrolResult = z.output<typeof enrolAnswer>;
export type WithdrawResult = z.output<typeof withdrawAnswer>;
export type Program = z.output<typeof programAnswer>;
export type ProgramPage = z.output<typeof programPageAnswer>;
export type Enrolment = z.output<typeof enrolmentAnswer>;
export type EnrolmentPage = z.output<typeof enrolmentPageAnswer>;
export type Settlement = z.output<typeof settlementAnswer>;
export type Settlements = z.output<typeof settlementsAnswer>;
export type SettleOutcome = z.output<typeof settleOutcomeAnswer>;
export type RefusedSettlement = z.output<typeof refusedSettlementAnswer>;
export type PerformancesResult = z.output<typeof performancesAnswer>;
export type SettlementSweepResult = z.output<typeof settlementSweepAnswer>;
