import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import {
  asciiTextSchema,
  blockHeightSchema,
  bpsSchema,
  entityIdSchema,
  kwhSchema,
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

// Program prints name micro-STX fields without a unit (budget, total, prices); the events add it.
const PROGRAM_RENAMES = {
  budget: "budgetUstx",
  capacityPrice: "capacityPriceUstx",
  energyPrice: "energyPriceUstx",
  total: "totalUstx",
  settled: "settledUstx",
  amounts: "amountsUstx",
};

const programOrigin = (topic: string) =>
  ({ kind: "chain", contract: "grid-services", topic, renames: PROGRAM_RENAMES }) as const;

const cohortSchema = z
  .int()
  .nonnegative()
  .meta({ description: "Cohort of the program (0-based): up to 100 facilities settled together" });
const slotSchema = z.int().nonnegative().max(99).meta({ description: "Slot of the facility in its cohort (0-based)" });
const periodSchema = z.int().nonnegative().meta({ description: "Settlement period of the program, counted from 0" });
const reportHashSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits")
  .meta({ description: "Merkle root of the settlement report (32 bytes, hex), as recorded on chain" });

const settlementLine = z.object({
  facilityId: entityIdSchema,
  committedKw: z.int().nonnegative().meta({ description: "Committed power in kilowatts" }),
  performanceBps: bpsSchema.meta({ description: "Measured performance in basis points: 10000 = as committed" }),
  deliveredKwh: kwhSchema.meta({ description: "Energy delivered in the period, in kilowatt-hours" }),
  amountUstx: ustxSchema.meta({ description: "Earned in the period, in micro-STX" }),
});

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
  "program.created": defineEvent({
    version: 1,
    summary: "An admin created a grid-service program; its budget is held in escrow.",
    description:
      "Period p runs from startHeight + p x periodBlocks for periodBlocks blocks; settlements are accepted until settleWindow blocks after endHeight. The operator gets unspent budget back when the program closes.",
    origin: programOrigin("program-created"),
    payload: z.object({
      programId: entityIdSchema,
      product: asciiTextSchema(32, 1).meta({ description: "Product of the catalogue, e.g. frequency-regulation" }),
      operator: stacksPrincipalSchema,
      startHeight: blockHeightSchema,
      periodBlocks: z.int().positive().meta({ description: "Blocks per settlement period" }),
      periodCount: z.int().positive().meta({ description: "Number of settlement periods" }),
      capacityPriceUstx: ustxSchema.meta({
        description: "Micro-STX per committed kW per period, scaled by performance",
      }),
      energyPriceUstx: ustxSchema.meta({ description: "Micro-STX per delivered kWh" }),
      budgetUstx: ustxSchema.meta({ description: "Escrowed by the operator, in micro-STX" }),
      settleWindow: z
        .int()
        .nonnegative()
        .meta({ description: "Blocks after endHeight during which settlements are accepted" }),
      endHeight: blockHeightSchema.meta({ description: "First block after the last period" }),
    }),
    example: {
      programId: 1,
      product: "frequency-regulation",
      operator: ADMIN,
      startHeight: 1200,
      periodBlocks: 60,
      periodCount: 24,
      capacityPriceUstx: "1500",
      energyPriceUstx: "200",
      budgetUstx: "500000000",
      settleWindow: 144,
      endHeight: 2640,
    },
  }),
  "program.enrolled": defineEvent({
    version: 1,
    summary: "A facility enrolled in a program with a committed power; its energy headroom is reserved.",
    description:
      "reservedKwh = committedKw x the product's duration, reserved in capacity tracking for the program's life. The facility earns from fromPeriod on.",
    origin: programOrigin("program-enrolled"),
    payload: z.object({
      programId: entityIdSchema,
      facilityId: entityIdSchema,
      committedKw: positiveKwSchema,
      reservedKwh: kwhSchema,
      cohort: cohortSchema,
      slot: slotSchema,
      fromPeriod: periodSchema,
      enrolledBy: stacksPrincipalSchema,
    }),
    example: {
      programId: 1,
      facilityId: 7,
      committedKw: 250,
      reservedKwh: 250,
      cohort: 0,
      slot: 6,
      fromPeriod: 0,
      enrolledBy: OPERATOR,
    },
  }),
  "program.withdrawn": defineEvent({
    version: 1,
    summary: "A facility left a program; its reservation is released.",
    description: "It earns nothing from untilPeriod on; earnings already settled stay.",
    origin: programOrigin("program-withdrawn"),
    payload: z.object({
      programId: entityIdSchema,
      facilityId: entityIdSchema,
      cohort: cohortSchema,
      slot: slotSchema,
      untilPeriod: periodSchema,
      releasedKwh: kwhSchema,
      withdrawnBy: stacksPrincipalSchema,
    }),
    example: {
      programId: 1,
      facilityId: 7,
      cohort: 0,
      slot: 6,
      untilPeriod: 5,
      releasedKwh: 250,
      withdrawnBy: OPERATOR,
    },
  }),
  "program.settled": defineEvent({
    version: 1,
    summary:
      "One cohort of a program was settled for one period; each line's amount is added to the facility's earnings.",
    description:
      "lines are aligned with the cohort's slots. amountUstx = committedKw x capacityPriceUstx x performanceBps / 10000 (rounded down) + deliveredKwh x energyPriceUstx; totalUstx is their sum. reportHash is the Merkle root of the settlement report the grid service serves, with an inclusion proof per line.",
    origin: programOrigin("program-settled"),
    payload: z
      .object({
        programId: entityIdSchema,
        cohort: cohortSchema,
        period: periodSchema,
        reportHash: reportHashSchema,
        totalUstx: ustxSchema,
        lines: z.array(settlementLine).min(1).max(100),
        settledBy: stacksPrincipalSchema,
      })
      .refine(
        (settlement) => settlement.lines.reduce((sum, line) => sum + line.amountUstx, 0n) === settlement.totalUstx,
        {
          path: ["totalUstx"],
          message: "totalUstx must equal the sum of the lines' amountUstx",
          when: whenFieldsValid,
        },
      ),
    example: {
      programId: 1,
      cohort: 0,
      period: 3,
      reportHash: "9f2c4e1a7b3d5f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708",
      totalUstx: "733750",
      lines: [
        { facilityId: 7, committedKw: 250, performanceBps: 9_500, deliveredKwh: 120, amountUstx: "380250" },
        { facilityId: 9, committedKw: 250, performanceBps: 9_000, deliveredKwh: 80, amountUstx: "353500" },
      ],
      settledBy: ADMIN,
    },
  }),
  "program.earnings.distributed": defineEvent({
    version: 1,
    summary: "Settled program earnings of a cohort were paid to the facilities' stakeholders.",
    description:
      "amountsUstx are aligned with the cohort's slots; each facility's amount is split by its current shares.",
    origin: programOrigin("program-earnings-distributed"),
    payload: z
      .object({
        programId: entityIdSchema,
        cohort: cohortSchema,
        totalUstx: ustxSchema,
        amountsUstx: z.array(ustxSchema).min(1).max(100),
        distributedBy: stacksPrincipalSchema,
      })
      .refine((paid) => paid.amountsUstx.reduce((sum, amount) => sum + amount, 0n) === paid.totalUstx, {
        path: ["totalUstx"],
        message: "totalUstx must equal the sum of amountsUstx",
        when: whenFieldsValid,
      }),
    example: { programId: 1, cohort: 0, totalUstx: "733750", amountsUstx: ["380250", "353500"], distributedBy: ADMIN },
  }),
  "program.closed": defineEvent({
    version: 1,
    summary: "A program closed; its unspent budget went back to its operator.",
    description:
      "refundUstx = budget - settledUstx. Reservations are released cohort by cohort (program.cohort.released).",
    origin: programOrigin("program-closed"),
    payload: z.object({
      programId: entityIdSchema,
      refundUstx: ustxSchema,
      settledUstx: ustxSchema,
      operator: stacksPrincipalSchema,
      closedBy: stacksPrincipalSchema,
    }),
    example: { programId: 1, refundUstx: "12500000", settledUstx: "487500000", operator: ADMIN, closedBy: ADMIN },
  }),
  "program.cancelled": defineEvent({
    version: 1,
    summary: "A program was cancelled before its start; the whole budget went back to its operator.",
    description: "Reservations are released cohort by cohort (program.cohort.released).",
    origin: programOrigin("program-cancelled"),
    payload: z.object({
      programId: entityIdSchema,
      refundUstx: ustxSchema,
      operator: stacksPrincipalSchema,
      cancelledBy: stacksPrincipalSchema,
    }),
    example: { programId: 2, refundUstx: "500000000", operator: ADMIN, cancelledBy: ADMIN },
  }),
  "program.cohort.released": defineEvent({
    version: 1,
    summary: "The reservations of a closed or cancelled program's cohort were released.",
    description: "releasedKwh is the energy given back in capacity tracking across the cohort's facilities.",
    origin: programOrigin("program-cohort-released"),
    payload: z.object({ programId: entityIdSchema, cohort: cohortSchema, releasedKwh: kwhSchema }),
    example: { programId: 1, cohort: 0, releasedKwh: 25_000 },
  }),
} as const;
