import { z } from "zod";
import {
  chainWriteAnswer,
  integerField,
  kwField,
  kwhField,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
} from "../fields/answer-fields.js";
import { demandLevelsAnswer } from "./grid-demand-answers.js";
import { STRATEGY_NAMES } from "./schedule-requests.js";

export const FLOW_ACTIONS = ["charge", "discharge", "hold"] as const;
export type FlowAction = (typeof FLOW_ACTIONS)[number];

export const recordFlowAnswer = chainWriteAnswer({ recordId: integerField, facilityId: integerField });

export const suggestedActionAnswer = z.object({
  facilityId: integerField,
  action: z.enum(FLOW_ACTIONS),
  energyKwh: kwhField,
  basis: z.object({
    demand: demandLevelsAnswer,
    storedKwh: kwhField,
    availableKwh: kwhField,
    maxPowerKw: kwField,
    capacityHeight: integerField,
  }),
});

export const scheduleAnswer = z.object({
  facilityId: integerField,
  scheduleVersion: integerField,
  demandLevelPercent: integerField,
  strategy: z.enum(STRATEGY_NAMES),
  expectedRevenueMicroStx: z
    .string()
    .regex(/^-?(0|[1-9]\d*)$/)
    .nullable()
    .meta({
      description: "What the steps earn at the price curve net of wear, micro-STX; null when no curve priced them",
    }),
  fallbackReason: z.string().nullable(),
  stepMinutes: integerField,
  steps: z.array(z.object({ startsAt: timestampField, action: z.enum(FLOW_ACTIONS), energyKwh: kwhField })),
  computedAt: timestampField,
});

/** A flow record; kWh as JSON integers, as in the events. */
const flowRecordAnswer = z.object({
  recordId: integerField,
  facilityId: integerField,
  action: z.enum(["charge", "discharge"]),
  energyKwh: kwhField,
  demandLevelPercent: integerField,
  storedAfterKwh: kwhField,
  recordedBy: principalField,
  txid: txidField,
  blockHeight: integerField,
  recordedAt: timestampField,
});

export const flowRecordPageAnswer = pageAnswer(flowRecordAnswer);

export type RecordFlowResult = z.output<typeof recordFlowAnswer>;
export type SuggestedAction = z.output<typeof suggestedActionAnswer>;
export type Schedule = z.output<typeof scheduleAnswer>;
export type ScheduleStep = Schedule["steps"][number];
export type FlowRecord = z.output<typeof flowRecordAnswer>;
export type FlowRecordPage = z.output<typeof flowRecordPageAnswer>;
