import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { whenFieldsValid } from "../when-fields-valid.js";
import { asciiTextSchema, bpsSchema, entityIdSchema, ustxSchema, versionNumberSchema } from "../field-schemas.js";
import { checkSharesAddUp, MAX_STAKEHOLDERS } from "../shares-rule.js";
import { stacksPrincipalSchema } from "../stacks-principal.js";
import { COMMUNITY, GRID_SERVICES_CONTRACT, INVESTOR, OPERATOR, OWNER } from "./example-principals.js";

const REVENUE_RENAMES = { version: "sharesVersion" };

const origin = (topic: string, folds: readonly string[] = []) =>
  ({ kind: "chain", contract: "revenue-sharing", topic, folds, renames: REVENUE_RENAMES }) as const;

const shareBpsSchema = bpsSchema.min(1).meta({ description: "Stakeholder's share in basis points, 1 to 10000" });

const share = z.object({ stakeholder: stacksPrincipalSchema, shareBps: shareBpsSchema });

const payment = z.object({
  paymentId: entityIdSchema,
  stakeholder: stacksPrincipalSchema,
  shareBps: shareBpsSchema,
  amountUstx: ustxSchema.meta({ description: "Paid to the stakeholder, in micro-STX" }),
});

export const revenueSharingEvents = {
  "shares.updated": defineEvent({
    version: 1,
    summary: "The owner set a new split of the facility's revenue among its stakeholders.",
    description:
      "Shares are unique stakeholders whose shareBps add up to exactly 10000; each change is a new sharesVersion.",
    origin: origin("shares-updated"),
    payload: z
      .object({
        facilityId: entityIdSchema,
        sharesVersion: versionNumberSchema,
        shares: z.array(share).min(1).max(MAX_STAKEHOLDERS),
      })
      .superRefine((update, ctx) => checkSharesAddUp(update.shares, ctx, ["shares"]), { when: whenFieldsValid }),
    example: {
      facilityId: 1,
      sharesVersion: 1,
      shares: [
        { stakeholder: OWNER, shareBps: 6_000 },
        { stakeholder: INVESTOR, shareBps: 3_000 },
        { stakeholder: COMMUNITY, shareBps: 1_000 },
      ],
    },
  }),
  "revenue.deposited": defineEvent({
    version: 1,
    summary: "Revenue was paid into a facility's pool.",
    description:
      "grid-services deposits a request's payout on fulfilment (source grid-request:<requestId>); anyone else may deposit too.",
    origin: origin("revenue-deposited"),
    payload: z
      .object({
        depositId: entityIdSchema,
        facilityId: entityIdSchema,
        amountUstx: ustxSchema,
        source: asciiTextSchema(64).meta({ description: "Free text naming where the revenue came from" }),
        depositor: stacksPrincipalSchema,
        poolBalanceUstx: ustxSchema.meta({ description: "The facility's pool after the deposit, in micro-STX" }),
      })
      .refine((deposit) => deposit.amountUstx > 0n, {
        path: ["amountUstx"],
        message: "amountUstx must be positive",
        when: whenFieldsValid,
      })
      .refine((deposit) => deposit.poolBalanceUstx >= deposit.amountUstx, {
        path: ["poolBalanceUstx"],
        message: "poolBalanceUstx must be at least amountUstx",
        when: whenFieldsValid,
      }),
    example: {
      depositId: 3,
      facilityId: 1,
      amountUstx: "23750000",
      source: "grid-request:4",
      depositor: GRID_SERVICES_CONTRACT,
      poolBalanceUstx: "23750000",
    },
  }),
  "revenue.distributed": defineEvent({
    version: 1,
    summary: "Revenue of a facility was paid out to its stakeholders, with every payment.",
    description:
      "Out of the facility's pool (source pool: all of it, or a stated amount in a batch of several facilities) or from a payer's own funds (source program:<id>: a program's earnings). Each stakeholder got amountUstx x shareBps / 10000 rounded down; the rounding remainder went to the largest share (the first listed on a tie). Payments add up to amountUstx exactly and their ids run from firstPaymentId.",
    origin: origin("revenue-distributed", ["revenue-paid"]),
    payload: z
      .object({
        distributionId: entityIdSchema,
        facilityId: entityIdSchema,
        amountUstx: ustxSchema.meta({ description: "What was distributed, in micro-STX" }),
        source: asciiTextSchema(64).meta({
          description:
            'Where the money came from: "pool" (the facility\'s pool) or the payer\'s label, e.g. "program:3" (a program\'s earnings)',
        }),
        sharesVersion: versionNumberSchema,
        firstPaymentId: entityIdSchema,
        paymentCount: z.int().positive().max(100),
        distributedBy: stacksPrincipalSchema,
        payments: z.array(payment).min(1).max(100),
      })
      .superRefine(
        (distribution, ctx) => {
          if (distribution.payments.length !== distribution.paymentCount) {
            ctx.addIssue({
              code: "custom",
              path: ["payments"],
              message: `expected ${distribution.paymentCount} payments, got ${distribution.payments.length}`,
            });
          }
          distribution.payments.forEach((paid, index) => {
            if (paid.paymentId !== distribution.firstPaymentId + index) {
              ctx.addIssue({
                code: "custom",
                path: ["payments", index, "paymentId"],
                message: `must be ${distribution.firstPaymentId + index}`,
              });
            }
          });
          const total = distribution.payments.reduce((sum, paid) => sum + paid.amountUstx, 0n);
          if (total !== distribution.amountUstx) {
            ctx.addIssue({
              code: "custom",
              path: ["payments"],
              message: `payments add up to ${total}, not amountUstx ${distribution.amountUstx}`,
            });
          }
        },
        { when: whenFieldsValid },
      ),
    example: {
      distributionId: 2,
      facilityId: 1,
      amountUstx: "23750001",
      source: "pool",
      sharesVersion: 1,
      firstPaymentId: 4,
      paymentCount: 3,
      distributedBy: OPERATOR,
      payments: [
        { paymentId: 4, stakeholder: OWNER, shareBps: 6_000, amountUstx: "14250001" },
        { paymentId: 5, stakeholder: INVESTOR, shareBps: 3_000, amountUstx: "7125000" },
        { paymentId: 6, stakeholder: COMMUNITY, shareBps: 1_000, amountUstx: "2375000" },
      ],
    },
  }),
} as const;
