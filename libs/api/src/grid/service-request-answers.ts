import { z } from "zod";
import {
  bpsField,
  chainWriteAnswer,
  integerField,
  kwField,
  kwhField,
  pageAnswer,
  principalField,
  timestampField,
  txidField,
  ustxField,
} from "../fields/answer-fields.js";

export const SERVICE_REQUEST_STATUSES = ["open", "accepted", "fulfilled", "cancelled"] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

export const serviceRequestWriteAnswer = chainWriteAnswer({ requestId: integerField });

export const acceptServiceRequestAnswer = chainWriteAnswer({ requestId: integerField, facilityId: integerField });

export const fulfilServiceRequestAnswer = chainWriteAnswer({
  requestId: integerField,
  performanceBps: bpsField,
  payoutUstx: ustxField,
});

/** A request; kW and kWh as JSON integers, micro-STX as decimal strings (bigints on chain). */
export const serviceRequestAnswer = z.object({
  id: integerField,
  serviceType: z.string(),
  powerKw: kwField,
  energyKwh: kwhField,
  paymentUstx: ustxField,
  requester: principalField,
  expiresAt: integerField.meta({ description: "The block height from which it can no longer be accepted" }),
  status: z.enum(SERVICE_REQUEST_STATUSES),
  facilityId: integerField.nullable(),
  acceptedBy: principalField.nullable(),
  performanceBps: bpsField.nullable(),
  payoutUstx: ustxField,
  refundUstx: ustxField,
  expired: z.boolean().nullable(),
  createdTxid: txidField,
  createdHeight: integerField,
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

export const serviceRequestPageAnswer = pageAnswer(serviceRequestAnswer);

export const expirySweepAnswer = z.object({
  height: integerField,
  cancelled: z.array(z.object({ requestId: integerField, txid: txidField, blockHeight: integerField })),
  failed: z.array(z.object({ requestId: integerField, code: z.string(), message: z.string() })),
});

export type ServiceRequestWrite = z.output<typeof serviceRequestWriteAnswer>;
export type AcceptServiceRequestResult = z.output<typeof acceptServiceRequestAnswer>;
export type FulfilServiceRequestResult = z.output<typeof fulfilServiceRequestAnswer>;
export type ServiceRequest = z.output<typeof serviceRequestAnswer>;
export type ServiceRequestPage = z.output<typeof serviceRequestPageAnswer>;
export type ExpirySweepResult = z.output<typeof expirySweepAnswer>;
