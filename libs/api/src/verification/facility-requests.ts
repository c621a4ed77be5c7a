import { z } from "zod";
import { cursorParam, energyKwh, pageLimit, powerKw } from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";
import { FACILITY_STATUSES } from "./facility-answers.js";

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

export const registerFacilityBody = z.strictObject({
  owner: stacksPrincipal,
  name: utf8Text(1, 64),
  location: utf8Text(0, 128),
  capacityKwh: energyKwh({ min: 1 }),
  maxPowerKw: powerKw({ min: 1 }),
});

export const reviewBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const rejectBody = z.strictObject({ reason: asciiText(1, 64), actAs: stacksPrincipal.optional() });

export const setOperatorBody = z.strictObject({ enabled: z.boolean() });

export const listFacilitiesQuery = z.strictObject({
  status: z.enum(FACILITY_STATUSES).optional(),
  owner: stacksPrincipal.optional(),
  after: cursorParam("facility").optional(),
  limit: pageLimit(20),
});
