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

export const FACILITY_STATUSES = ["pending", "approved", "rejected", "suspended"] as const;
export type FacilityStatus = (typeof FACILITY_STATUSES)[number];

/** What every facility write answers: its transaction and the facility. */
export const facilityWriteAnswer = chainWriteAnswer({ facilityId: integerField });

/** A facility as the API shows it; kWh and kW as JSON integers, as in the events that carried them. */
export const facilityAnswer = z.object({
  id: integerField,
  owner: principalField,
  name: z.string(),
  location: z.string(),
  capacityKwh: kwhField,
  maxPowerKw: kwField,
  status: z.enum(FACILITY_STATUSES),
  rejectionReason: z.string().nullable(),
  operators: z.array(z.object({ operator: principalField, enabled: z.boolean(), updatedAt: timestampField })),
  registeredAt: timestampField,
  registeredTxid: txidField,
  registeredHeight: integerField,
  updatedAt: timestampField,
  lastTxid: txidField,
  lastHeight: integerField.meta({ description: "The block of the last change the read model holds" }),
});

export const facilityPageAnswer = pageAnswer(facilityAnswer);

export type FacilityWrite = z.output<typeof facilityWriteAnswer>;
export type Facility = z.output<typeof facilityAnswer>;
export type FacilityPage = z.output<typeof facilityPageAnswer>;
