import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import {
  ActsFor,
  ApiError,
  type Caller,
  CurrentCaller,
  Roles,
  stacksPrincipal,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";
import { FacilityRepository, type FacilityView } from "./facility-repository.js";
import {
  facilityIdParam,
  listFacilitiesQuery,
  registerFacilityBody,
  rejectBody,
  reviewBody,
  setOperatorBody,
} from "./facility-requests.js";
import { RegisterFacilityUseCase } from "./usecases/register-facility.usecase.js";
import { type ReviewDecision, ReviewFacilityUseCase } from "./usecases/review-facility.usecase.js";
import { SetOperatorUseCase } from "./usecases/set-operator.usecase.js";

type WriteAnswer = ChainWriteResult & { facilityId: number };

/**
 * Writes answer once the chain confirmed the transaction; the read model follows from
 * the chain a moment later (see lastHeight on GET).
 */
@ApiTags("facilities")
@Controller("facilities")
export class FacilitiesController {
  constructor(
    @Inject(RegisterFacilityUseCase) private readonly registerFacility: RegisterFacilityUseCase,
    @Inject(ReviewFacilityUseCase) private readonly reviewFacility: ReviewFacilityUseCase,
    @Inject(SetOperatorUseCase) private readonly setOperatorUseCase: SetOperatorUseCase,
    @Inject(FacilityRepository) private readonly facilities: FacilityRepository,
  ) {}

  @Post()
  @Roles("owner")
  @ActsFor({ body: "owner" })
  register(
    @ZodBody(registerFacilityBody) body: z.output<typeof registerFacilityBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.registerFacility.execute({ caller, ...body });
  }

  @Post(":id/approve")
  @HttpCode(200)
  @Roles("admin")
  approve(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.review(caller, id, { action: "approve" }, body.actAs);
  }

  @Post(":id/reject")
  @HttpCode(200)
  @Roles("admin")
  reject(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(rejectBody) body: z.output<typeof rejectBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.review(caller, id, { action: "reject", reason: body.reason }, body.actAs);
  }

  @Post(":id/suspend")
  @HttpCode(200)
  @Roles("admin")
  suspend(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.review(caller, id, { action: "suspend" }, body.actAs);
  }

  @Post(":id/reinstate")
  @HttpCode(200)
  @Roles("admin")
  reinstate(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.review(caller, id, { action: "reinstate" }, body.actAs);
  }

  @Put(":id/operators/:principal")
  @Roles("owner")
  setOperator(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodParam("principal", stacksPrincipal) operator: string,
    @ZodBody(setOperatorBody) body: z.output<typeof setOperatorBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.setOperatorUseCase.execute({ caller, facilityId: id, operator, enabled: body.enabled });
  }

  @Get()
  list(
    @ZodQuery(listFacilitiesQuery) query: z.output<typeof listFacilitiesQuery>,
  ): Promise<{ items: FacilityView[]; nextAfter: number | null }> {
    return this.facilities.list(query);
  }

  @Get(":id")
  async get(@ZodParam("id", facilityIdParam) id: number): Promise<FacilityView> {
    const facility = await this.facilities.find(id);
    if (!facility) throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${id}.`, { facilityId: id });
    return facility;
  }

  private review(caller: Caller, facilityId: number, decision: ReviewDecision, actAs?: string): Promise<WriteAnswer> {
    return this.reviewFacility.execute({ caller, facilityId, decision, ...(actAs ? { actAs } : {}) });
  }
}
