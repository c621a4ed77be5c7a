import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import {
  asciiTextSchema,
  blockHeightSchema,
  bpsSchema,
  entityIdSchema,
  milliHzSchema,
  positiveKwSchema,
  positiveKwhSchema,
  ustxSchema,
} from "../field-schemas.js";
import { stacksPrincipalSchema } from "../stacks-principal.js";
import { ADMIN, OPERATOR, ORACLE } from "./example-principals.js";

const GRID_RENAMES = {
  frequencyMhz: "frequencyMilliHz",
  targetMhz: "targetMilliHz",
  deadbandMhz: "deadbandMilliHz",
  deviationMhz: "deviationMilliHz",
  expiresAt: "expiresAtBlock",
};

const origin = (topic: string) => ({ kind: "chain", contract: "grid-services", topic, renames: GRID_RENAMES }) as const;

const frequencyReading = {
  frequencyMilliHz: milliHzSchema.meta({ description: "Reported grid frequency in millihertz" }),
  targetMilliHz: milliHzSchema.meta({ description: "Target frequency in millihertz" }),
  deadbandMilliHz: milliHzSchema.meta({ description: "Allowed distance from the target in millihertz" }),
  deviationMilliHz: milliHzSchema.meta({ description: "Distance between the reading and the target in millihertz" }),
  reporter: stacksPrincipalSchema,
};

function checkDeviation(
  reading: { frequencyMilliHz: number; targetMilliHz: number; deviationMilliHz: number },
  ctx: z.RefinementCtx,
): void {
  if (reading.deviationMilliHz !== Math.abs(reading.frequencyMilliHz - reading.targetMilliHz)) {
    ctx.addIssue({
      code: "custom",
      path: ["deviationMilliHz"],
      message: "deviationMilliHz must equal |frequencyMilliHz - targetMilliHz|",
    });
  }
}

export const gridServicesEvents = {
  "frequency.target.set": defineEvent({
    version: 1,
    summary: "An admin set the target grid frequency and the deadband around it.",
    description: "A reading further from the target than the deadband is a deviation.",
    origin: origin("frequency-target-set"),
    payload: z
      .object({
        targetMilliHz: milliHzSchema.min(1).meta({ description: "Target frequency in millihertz" }),
        deadbandMilliHz: milliHzSchema.meta({ description: "Allowed distance from the target in millihertz" }),
        by: stacksPrincipalSchema,
      })
      .refine((target) => target.deadbandMilliHz < target.targetMilliHz, {
        path: ["deadbandMilliHz"],
        message: "deadbandMilliHz must be below targetMilliHz",
        when: whenFieldsValid,
      }),
    example: { targetMilliHz: 50_000, deadbandMilliHz: 200, by: ADMIN },
  }),
  "frequency.deviation": defineEvent({
    version: 1,
    summary: "A reported grid frequency is outside the deadband around the target.",
    description: "Written to the chain by an oracle or admin; deviationMilliHz exceeds deadbandMilliHz.",
    origin: origin("frequency-deviation"),
    payload: z
      .object({ ...frequencyReading, deviating: z.literal(true) })
      .superRefine(checkDeviation, { when: whenFieldsValid })
      .refine((reading) => reading.deviationMilliHz > reading.deadbandMilliHz, {
        path: ["deviationMilliHz"],
        message: "a deviation must exceed the deadband",
        when: whenFieldsValid,
      }),
    example: {
      frequencyMilliHz: 49_650,
      targetMilliHz: 50_000,
      deadbandMilliHz: 200,
      deviationMilliHz: 350,
      deviating: true,
      reporter: ORACLE,
    },
  }),
  "frequency.reported": defineEvent({
    version: 1,
    summary: "A reported grid frequency is within the deadband around the target.",
    description:
      "The grid service writes readings to the chain only when deviation changes and at a configured cadence.",
    origin: origin("frequency-reported"),
    payload: z
      .object({ ...frequencyReading, deviating: z.literal(false) })
      .superRefine(checkDeviation, { when: whenFieldsValid })
      .refine((reading) => reading.deviationMilliHz <= reading.deadbandMilliHz, {
        path: ["deviationMilliHz"],
        message: "a normal reading must be within the deadband",
        when: whenFieldsValid,
      }),
    example: {
      frequencyMilliHz: 50_020,
      targetMilliHz: 50_000,
      deadbandMilliHz: 200,
      deviationMilliHz: 20,
      deviating: false,
      reporter: ORACLE,
    },
  }),
  "frequency.oracle.set": defineEvent({
    version: 1,
    summary: "An admin enabled or disabled a frequency oracle.",
    description: "Oracles may report frequency readings besides admins.",
    origin: origin("oracle-set"),
    payload: z.object({ oracle: stacksPrincipalSchema, enabled: z.boolean() }),
    example: { oracle: ORACLE, enabled: true },
  }),
  "service.requested": defineEvent({
    version: 1,
    summary: "An admin posted a paid grid-service request; the payment is held in escrow.",
    description: "Open until a facility accepts it, it is cancelled, or the block height passes expiresAtBlock.",
    origin: origin("service-requested"),
    payload: z.object({
      requestId: entityIdSchema,
      serviceType: asciiTextSchema(32, 1).meta({
        description: "Kind of grid service, e.g. frequency-regulation or peak-shaving",
      }),
      powerKw: positiveKwSchema,
      energyKwh: positiveKwhSchema,
      paymentUstx: ustxSchema,
      requester: stacksPrincipalSchema,
      expiresAtBlock: blockHeightSchema.meta({
        description: "Block height from which the request can no longer be accepted",
      }),
    }),
    example: {
      requestId: 4,
      serviceType: "frequency-regulation",
      powerKw: 250,
      energyKwh: 400,
      paymentUstx: "25000000",
      requester: ADMIN,
      expiresAtBlock: 1200,
    },
  }),
  "service.accepted": defineEvent({
    version: 1,
    summary: "A facility accepted an open request; its energy is reserved in capacity tracking.",
    description: "Followed by capacity.updated with reason reserved, in the same transaction.",
    origin: origin("service-accepted"),
    payload: z.object({
      requestId: entityIdSchema,
      facilityId: entityIdSchema,
      energyKwh: positiveKwhSchema,
      powerKw: positiveKwSchema,
      acceptedBy: stacksPrincipalSchema,
    }),
    example: { requestId: 4, facilityId: 1, energyKwh: 400, powerKw: 250, acceptedBy: OPERATOR },
  }),
  "service.fulfilled": defineEvent({
    version: 1,
    summary: "An admin scored an accepted request; the payout is in the facility's revenue pool.",
    description:
      "payoutUstx = paymentUstx x performanceBps / 10000 (rounded down) went to the facility's revenue pool, refundUstx = paymentUstx - payoutUstx back to the requester, and the reservation was released.",
    origin: origin("service-fulfilled"),
    payload: z
      .object({
        requestId: entityIdSchema,
        facilityId: entityIdSchema,
        performanceBps: bpsSchema.meta({ description: "Delivery score in basis points: 10000 = fully delivered" }),
        paymentUstx: ustxSchema,
        payoutUstx: ustxSchema,
        refundUstx: ustxSchema,
        requester: stacksPrincipalSchema,
      })
      .superRefine(
        (fulfilment, ctx) => {
          if (fulfilment.payoutUstx !== (fulfilment.paymentUstx * BigInt(fulfilment.performanceBps)) / 10_000n) {
            ctx.addIssue({
              code: "custom",
              path: ["payoutUstx"],
              message: "payoutUstx must equal paymentUstx x performanceBps / 10000, rounded down",
            });
          }
          if (fulfilment.payoutUstx + fulfilment.refundUstx !== fulfilment.paymentUstx) {
            ctx.addIssue({
              code: "custom",
              path: ["refundUstx"],
              message: "payoutUstx + refundUstx must equal paymentUstx",
            });
          }
        },
        { when: whenFieldsValid },
      ),
    example: {
      requestId: 4,
      facilityId: 1,
      performanceBps: 9_500,
      paymentUstx: "25000000",
      payoutUstx: "23750000",
      refundUstx: "1250000",
      requester: ADMIN,
    },
  }),
  "service.cancelled": defineEvent({
    version: 1,
    summary: "An admin cancelled an open request; the whole payment went back to the requester.",
    description: "expired tells whether the request had already passed its expiry height (an expiry sweep).",
    origin: origin("service-cancelled"),
    payload: z.object({
      requestId: entityIdSchema,
      refundUstx: ustxSchema,
      requester: stacksPrincipalSchema,
      expired: z.boolean(),
    }),
    example: { requestId: 5, refundUstx: "10000000", requester: ADMIN, expired: false },
  }),
} as const;
