import { z } from "zod";
import {
  chainWriteAnswer,
  integerField,
  kwhField,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
} from "../fields/answer-fields.js";

export const initializeCapacityAnswer = chainWriteAnswer({ facilityId: integerField });

/** A facility approved and waiting for its first capacity. */
const awaitingAnswer = z.object({ facilityId: integerField, owner: principalField, capacityKwh: kwhField });

export const awaitingInitialisationAnswer = pageAnswer(awaitingAnswer);

/** A facility's energy: reserved for grid services, available to them, and what changed it last. */
export const capacityAnswer = z.object({
  facilityId: integerField,
  totalKwh: kwhField,
  storedKwh: kwhField,
  reservedKwh: kwhField,
  availableKwh: kwhField,
  lastReason: z.string().meta({ description: "initialized, reading, reserved, released, charge or discharge" }),
  initializedTxid: txidField.nullable(),
  initializedHeight: integerField.nullable(),
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

export const capacityPageAnswer = pageAnswer(capacityAnswer);

export type InitializeCapacityResult = z.output<typeof initializeCapacityAnswer>;
export type AwaitingInitialisation = z.output<typeof awaitingAnswer>;
export type AwaitingInitialisationPage = z.output<typeof awaitingInitialisationAnswer>;
export type Capacity = z.output<typeof capacityAnswer>;
export type CapacityPage = z.output<typeof capacityPageAnswer>;
