import { z } from "zod";
import { bpsField, integerField, kwhField, timestampField, txidField } from "../fields/answer-fields.js";
import { STRATEGY_NAMES } from "./schedule-requests.js";

export const scheduleSettingsAnswer = z.object({
  facilityId: integerField,
  strategy: z.enum(STRATEGY_NAMES),
  chargeEfficiencyBps: bpsField,
  dischargeEfficiencyBps: bpsField,
  selfDischargeBpsPerDay: bpsField,
  degradationMicroStxPerKwh: integerField,
  maxCyclesPerDay: z.number().nullable(),
  endKwh: kwhField
    .nullable()
    .meta({ description: "Stored energy at the end of the horizon at least this; null: what is stored now" }),
  executeOnChain: z.boolean(),
  declared: z.boolean().meta({ description: "False while none are stored: the service's defaults apply" }),
});

const scheduleExecutionAnswer = z.object({
  stepStartsAt: timestampField,
  scheduleVersion: integerField,
  action: z.string(),
  energyKwh: kwhField,
  status: z.string().meta({ description: "signing, recorded, refused (code says why) or failed" }),
  txid: txidField.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  executedAt: timestampField,
});

export const scheduleExecutionsAnswer = z.object({
  facilityId: integerField,
  items: z.array(scheduleExecutionAnswer),
});

export type ScheduleSettings = z.output<typeof scheduleSettingsAnswer>;
export type ScheduleExecution = z.output<typeof scheduleExecutionAnswer>;
export type ScheduleExecutions = z.output<typeof scheduleExecutionsAnswer>;
