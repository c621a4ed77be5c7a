import { z } from "zod";
import { SERVICE_TYPES } from "@voltstack/chain";
import {
  basisPoints,
  blockHeight,
  cursorParam,
  energyKwh,
  idParam,
  pageLimit,
  powerKw,
  recordId,
  stacksPrincipal,
  ustxAmount,
} from "@voltstack/api";
import { SERVICE_REQUEST_STATUSES } from "./service-request-repository.js";

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
  facility: idParam("facility").optional(),
  after: cursorParam("request").optional(),
  limit: pageLimit(20),
});
