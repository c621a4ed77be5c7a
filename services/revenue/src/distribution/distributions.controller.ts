import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { fulfilmentDistributionAnswer, type FulfilmentDistribution, gridRequestIdParam } from "@voltstack/api";
import { ApiError, Operation, Roles, ZodParam } from "@voltstack/service-kit";
import { DistributionIntentRepository } from "./distribution-intent-repository.js";

/** Where the distribution owed to a fulfilment stands, for operators chasing a payment. */
@ApiTags("operations")
@Controller("fulfilments")
export class DistributionsController {
  constructor(@Inject(DistributionIntentRepository) private readonly intents: DistributionIntentRepository) {}

  @Operation({
    summary:
      "Where the distribution owed to a grid request's fulfilment stands: due, batched, paid or failed, with its attempts.",
    answers: fulfilmentDistributionAnswer,
    refuses: [{ FULFILMENT_NOT_SEEN: 404 }],
  })
  @Get(":requestId/distribution")
  @Roles("admin", "operator")
  async get(@ZodParam("requestId", gridRequestIdParam) requestId: number): Promise<FulfilmentDistribution> {
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
