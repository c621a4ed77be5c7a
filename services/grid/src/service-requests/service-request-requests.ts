import { z } from "zod";
import { safeUint, stacksPrincipal } from "@voltstack/service-kit";
import { SERVICE_REQUEST_STATUSES } from "./service-request-repository.js";

// The read model keeps kW, kWh and micro-STX in 64-bit columns and heights in 32-bit ones.
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MAX = 2_147_483_647;

const wholeId = (what: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: `must be a ${what} id (a positive whole number)` })
    .transform(Number)
    .pipe(z.number().max(INT32_MAX, { error: `is not a ${what} id` }));

export const requestIdParam = wholeId("request");

const positiveQuantity = safeUint().min(1, { error: "must be at least 1" });

export const createServiceRequestBody = z.strictObject({
  serviceType: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[\x20-\x7e]*$/, { error: "must be printable ASCII" }),
  powerKw: positiveQuantity,
  energyKwh: positiveQuantity,
  // Micro-STX as a decimal string: a JSON number cannot hold every amount exactly.
  paymentUstx: z
    .string({ error: "must be a decimal string of micro-STX" })
    .regex(/^[1-9]\d{0,18}$/, { error: "must be a positive whole number of micro-STX in decimal digits" })
    .transform(BigInt)
    .refine((amount) => amount <= INT64_MAX, { error: `must be at most ${INT64_MAX}` }),
  expiresAt: safeUint({ max: INT32_MAX }).min(1, { error: "must be a block height" }),
  actAs: stacksPrincipal.optional(),
});

export const acceptBody = z.strictObject({
  facilityId: safeUint({ max: INT32_MAX }).min(1, { error: "must be a facility id" }),
  actAs: stacksPrincipal.optional(),
});

export const fulfilBody = z.strictObject({
  performanceBps: safeUint({ max: 10_000 }),
  actAs: stacksPrincipal.optional(),
});

export const adminActionBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const listServiceRequestsQuery = z.strictObject({
  status: z.enum(SERVICE_REQUEST_STATUSES).optional(),
  facility: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: "must be a facility id" })
    .transform(Number)
    .pipe(z.number().max(INT32_MAX, { error: "is not a facility id" }))
    .optional(),
  after: z
    .string()
    .regex(/^\d{1,10}$/, { error: "must be a request id" })
    .transform(Number)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(z.number().min(1).max(100))
    .default(20),
});
