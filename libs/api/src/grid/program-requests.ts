import { z } from "zod";
import {
  basisPoints,
  blockHeight,
  cursorParam,
  energyKwh,
  facilityIdParam,
  idParam,
  pageLimit,
  pgInteger,
  powerKw,
  recordId,
  ustxAmount,
} from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";
import { PROGRAM_STATUSES } from "./program-answers.js";

/** The products of grid-services' catalogue a program may offer (@voltstack/chain's PROGRAM_PRODUCTS). */
export const PROGRAM_PRODUCT_NAMES = [
  "frequency-containment",
  "frequency-regulation",
  "afrr",
  "peak-shaving",
  "demand-response",
] as const;

// At most this many performances in one request: ten full cohorts.
export const MAX_PERFORMANCES_PER_REQUEST = 1_000;

export const programIdParam = idParam("program");

/** A cohort or period number in a path or query: 0 up to the INTEGER column's bound. */
export function indexParam(what: string) {
  return z
    .string()
    .regex(/^\d{1,10}$/, { error: `must be a ${what} number (a whole number from 0)` })
    .transform(Number)
    .pipe(pgInteger());
}

export const cohortParam = indexParam("cohort");
export const periodParam = indexParam("period");

export const createProgramBody = z.strictObject({
  product: z.enum(PROGRAM_PRODUCT_NAMES, { error: `must be one of ${PROGRAM_PRODUCT_NAMES.join(", ")}` }),
  startHeight: blockHeight({ min: 1 }),
  periodBlocks: pgInteger({ min: 1 }),
  periodCount: pgInteger({ min: 1 }),
  capacityPriceUstx: ustxAmount(),
  energyPriceUstx: ustxAmount(),
  budgetUstx: ustxAmount({ min: 1n }),
  settleWindow: pgInteger({ min: 1 }),
  actAs: stacksPrincipal.optional(),
});

export const programActionBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const enrolBody = z.strictObject({
  facilityId: recordId("facility"),
  committedKw: powerKw({ min: 1 }),
  actAs: stacksPrincipal.optional(),
});

export const performancesBody = z.strictObject({
  performances: z
    .array(
      z.strictObject({
        facilityId: recordId("facility"),
        performanceBps: basisPoints(),
        deliveredKwh: energyKwh().default(0),
      }),
    )
    .min(1)
    .max(MAX_PERFORMANCES_PER_REQUEST),
  actAs: stacksPrincipal.optional(),
});

export const settleBody = z.strictObject({
  /** Settle now with 0 performance and 0 delivery for enrolled facilities whose performance was not posted. */
  missingAsZero: z.boolean().default(false),
  actAs: stacksPrincipal.optional(),
});

export const listProgramsQuery = z.strictObject({
  status: z.enum(PROGRAM_STATUSES).optional(),
  after: cursorParam("program").optional(),
  limit: pageLimit(20),
});

export const listEnrolmentsQuery = z.strictObject({
  cohort: cohortParam.optional(),
  facility: facilityIdParam.optional(),
  after: cursorParam("position").optional(),
  limit: pageLimit(100),
});

export const listSettlementsQuery = z.strictObject({
  cohort: cohortParam.optional(),
  period: periodParam.optional(),
  limit: pageLimit(100),
});
