import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import {
  type Facility,
  facilityAnswer,
  facilityIdParam,
  type FacilityPage,
  facilityPageAnswer,
  type FacilityWrite,
  facilityWriteAnswer,
  listFacilitiesQuery,
  registerFacilityBody,
  rejectBody,
  reviewBody,
  setOperatorBody,
  stacksPrincipal,
} from "@voltstack/api";
import {
  ActsFor,
  ApiError,
  type Caller,
  CurrentCaller,
  Operation,
  Roles,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { FacilityRepository } from "./facility-repository.js";
import { RegisterFacilityUseCase } from "./usecases/register-facility.usecase.js";
import { type ReviewDecision, ReviewFacilityUseCase } from "./usecases/review-facility.usecase.js";
import { SetOperatorUseCase } from "./usecases/set-operator.usecase.js";

/** What every review refuses besides the chain write's own refusals. */
const REVIEW_REFUSALS = [CHAIN_WRITE_REFUSALS, STATUS_BY_CONTRACT_ERROR, { FACILITY_NOT_FOUND: 404 }];

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

  @Operation({
    summary: "Registers a facility for its owner (signed as the owner); it waits for an admin's review as pending.",
    answers: facilityWriteAnswer,
    refuses: [CHAIN_WRITE_REFUSALS, STATUS_BY_CONTRACT_ERROR],
  })
  @Post()
  @Roles("owner")
  @ActsFor({ body: "owner" })
  register(
    @ZodBody(registerFacilityBody) body: z.output<typeof registerFacilityBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.registerFacility.execute({ caller, ...body });
  }

  @Operation({
    summary: "Approves a pending facility (admin): it may then initialise capacity and take grid services.",
    answers: facilityWriteAnswer,
    refuses: REVIEW_REFUSALS,
  })
  @Post(":id/approve")
  @HttpCode(200)
  @Roles("admin")
  approve(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.review(caller, id, { action: "approve" }, body.actAs);
  }

  @Operation({
    summary: "Rejects a pending facility with a reason (admin).",
    answers: facilityWriteAnswer,
    refuses: REVIEW_REFUSALS,
  })
  @Post(":id/reject")
  @HttpCode(200)
  @Roles("admin")
  reject(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(rejectBody) body: z.output<typeof rejectBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.review(caller, id, { action: "reject", reason: body.reason }, body.actAs);
  }

  @Operation({
    summary: "Suspends an approved facility (admin).",
    answers: facilityWriteAnswer,
    refuses: REVIEW_REFUSALS,
  })
  @Post(":id/suspend")
  @HttpCode(200)
  @Roles("admin")
  suspend(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.review(caller, id, { action: "suspend" }, body.actAs);
  }

  @Operation({
    summary: "Reinstates a suspended facility (admin).",
    answers: facilityWriteAnswer,
    refuses: REVIEW_REFUSALS,
  })
  @Post(":id/reinstate")
  @HttpCode(200)
  @Roles("admin")
  reinstate(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(reviewBody) body: z.output<typeof reviewBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.review(caller, id, { action: "reinstate" }, body.actAs);
  }

  @Operation({
    summary: "Enables or disables an operator that may act for the facility (its owner).",
    answers: facilityWriteAnswer,
    refuses: [...REVIEW_REFUSALS, FACILITY_SIGNER_REFUSALS],
  })
  @Put(":id/operators/:principal")
  @Roles("owner")
  setOperator(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodParam("principal", stacksPrincipal) operator: string,
    @ZodBody(setOperatorBody) body: z.output<typeof setOperatorBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FacilityWrite> {
    return this.setOperatorUseCase.execute({ caller, facilityId: id, operator, enabled: body.enabled });
  }

  @Operation({
    summary: "The facilities, by id, filtered by status or owner; a page at a time.",
    answers: facilityPageAnswer,
  })
  @Get()
  list(@ZodQuery(listFacilitiesQuery) query: z.output<typeof listFacilitiesQuery>): Promise<FacilityPage> {
    return this.facilities.list(query);
  }

  @Operation({
    summary: "One facility as the read model holds it.",
    answers: facilityAnswer,
    refuses: [{ FACILITY_NOT_FOUND: 404 }],
  })
  @Get(":id")
  async get(@ZodParam("id", facilityIdParam) id: number): Promise<Facility> {
    const facility = await this.facilities.find(id);
    if (!facility) throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${id}.`, { facilityId: id });
    return facility;
  }

  private review(caller: Caller, facilityId: number, decision: ReviewDecision, actAs?: string): Promise<FacilityWrite> {
    return this.reviewFacility.execute({ caller, facilityId, decision, ...(actAs ? { actAs } : {}) });
  }
}
