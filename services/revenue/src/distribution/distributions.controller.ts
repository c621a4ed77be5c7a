import { Controller, Get, Inject } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { ApiError, Roles, ZodParam } from "@voltstack/service-kit";
import { type DistributionIntent, DistributionIntentRepository } from "./distribution-intent-repository.js";

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
