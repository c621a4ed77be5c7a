import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { integerField, txidField, ustxField } from "@voltstack/api";
import { ApiError, Operation, Roles, ZodParam } from "@voltstack/service-kit";
import { type DistributionIntent, DistributionIntentRepository } from "./distribution-intent-repository.js";
import { INTENT_STATUSES } from "./fulfilment.js";

const requestIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a grid request id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, { error: "is not a grid request id" }));

/** Where the distribution owed to a fulfilment stands, for operators chasing a payment. */
@ApiTags("operations")
@Controller("fulfilments")
export class DistributionsController {
  constructor(@Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository) {}

  @Operation({
    summary:
      "Where the distribution owed to a grid request's fulfilment stands: due, batched, paid or failed, with its attempts.",
    answers: z.object({
      requestId: integerField,
      eventId: z.string(),
      facilityId: integerField,
      payoutUstx: ustxField,
      status: z.enum(INTENT_STATUSES),
      attempts: integerField,
      batchId: z.string().nullable(),
      distributionTxid: txidField.nullable(),
      distributionId: integerField.nullable(),
      errorCode: z.string().nullable(),
    }),
    refuses: [{ FULFILMENT_NOT_SEEN: 404 }],
  })
  @Get(":requestId/distribution")
  @Roles("admin", "operator")
  async get(@ZodParam("requestId", requestIdParam) requestId: number): Promise<DistributionIntent> {
    const intent = await this.intents.find(requestId);
    if (!intent) {
      throw ApiError.notFound(
        "FULFILMENT_NOT_SEEN",
        `No service.fulfilled event of grid request ${requestId} has reached this service.`,
        { requestId },
      );
    }
    return intent;
  }
}
