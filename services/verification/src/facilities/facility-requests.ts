import { z } from "zod";
import { safeUint, stacksPrincipal } from "@voltstack/service-kit";
import { FACILITY_STATUSES } from "./facility-repository.js";

// Clarity's (string-utf8 n) counts characters; (string-ascii n) printable ASCII.
const utf8Text = (min: number, max: number) =>
  z.string().refine((text) => [...text].length >= min && [...text].length <= max, {
    error: `must be ${min} to ${max} characters`,
  });
const asciiText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[\x20-\x7e]*$/, { error: "must be printable ASCII" });

// Energy and power go into events as JSON numbers, so they stay safe integers.
const positiveQuantity = safeUint().min(1, { error: "must be at least 1" });

export const facilityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a facility id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "is not a facility id" }));

export const registerFacilityBody = z.strictObject({
  owner: stacksPrincipal,
  name: utf8Text(1, 64),
  location: utf8Text(0, 128),
  capacityKwh: positiveQuantity,
  maxPowerKw: positiveQuantity,
});

export const reviewBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const rejectBody = z.strictObject({ reason: asciiText(1, 64), actAs: stacksPrincipal.optional() });

export const setOperatorBody = z.strictObject({ enabled: z.boolean() });

export const listFacilitiesQuery = z.strictObject({
  status: z.enum(FACILITY_STATUSES).optional(),
  owner: stacksPrincipal.optional(),
  after: z
    .string()
    .regex(/^\d{1,10}$/, { error: "must be a facility id" })
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(z.number().min(1).max(100))
    .default(20),
});
