import { z } from "zod";
import { chainWriteAnswer, integerField, timestampField, txidField } from "../fields/answer-fields.js";

export const setGridDemandAnswer = chainWriteAnswer();

export const demandLevelsAnswer = z.object({
  demandLevelPercent: integerField,
  lowThresholdPercent: integerField,
  highThresholdPercent: integerField,
});

export const gridDemandAnswer = demandLevelsAnswer.extend({
  lastTxid: txidField.nullable().meta({ description: "Null while no admin set them: the contract's defaults apply" }),
  lastHeight: integerField.nullable(),
  updatedAt: timestampField.nullable(),
});

export type SetGridDemandResult = z.output<typeof setGridDemandAnswer>;
export type DemandLevels = z.output<typeof demandLevelsAnswer>;
export type GridDemand = z.output<typeof gridDemandAnswer>;
