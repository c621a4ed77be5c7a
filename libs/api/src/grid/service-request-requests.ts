import { z } from "zod";
import {
  basisPoints,
  blockHeight,
  cursorParam,
  energyKwh,
  facilityIdParam,
  idParam,
  pageLimit,
  powerKw,
  recordId,
  ustxAmount,
} from "../fields/request-fields.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";
import { SERVICE_REQUEST_STATUSES } from "./service-request-answers.js";

/**
 * The grid-service products a request may name. The contract
 * stores any non-empty (string-ascii 32), so a typo would escrow real STX for a product nobody
 * delivers: the API accepts only these.
 */
export const SERVICE_TYPES = [
  "frequency-regulation",
  "frequency-containment",
  "afrr",
  "reserve",
  "peak-shaving",
  "demand-response",
  "voltage-support",
] as const;

export type ServiceType = (typeof SERVICE_TYPES)[number];

export function isServiceType(value: string): value is ServiceType {
  return (SERVICE_TYPES as readonly string[]).includes(value);
}

export const requestIdParam = idParam("request");

export const createServiceRequestBody = z.strictObject({
  serviceType: z.enum(SERVICE_TYPES, { error: `must be one of ${SERVICE_TYPES.join(", ")}` }),
  powerKw: powerKw({ min: 1 }),
  energyKwh: energyKwh({ min: 1 }),
  paymentUstx: ustxAmount({ min: 1n }),
  expiresAt: blockHeight({ min: 1 }),
  actAs: stacksPrincipal.optional(),
});

export const acceptBody = z.strictObject({
  facilityId: recordId("facility"),
  actAs: stacksPrincipal.optional(),
});

export const fulfilBody = z.strictObject({
  performanceBps: basisPoints(),
  actAs: stacksPrincipal.optional(),
});

export const adminActionBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const listServiceRequestsQuery = z.strictObject({
  status: z.enum(SERVICE_REQUEST_STATUSES).optional(),
  facility: facilityIdParam.optional(),
  after: cursorParam("request").optional(),
  limit: pageLimit(20),
});
