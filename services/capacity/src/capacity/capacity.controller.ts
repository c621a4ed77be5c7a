import { Controller, Get, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import {
  awaitingInitialisationAnswer,
  type AwaitingInitialisationPage,
  type Capacity,
  capacityAnswer,
  type CapacityPage,
  capacityPageAnswer,
  capacityPageQuery,
  facilityIdParam,
  initializeCapacityAnswer,
  initializeCapacityBody,
  type InitializeCapacityResult,
} from "@voltstack/api";
import {
  ApiError,
  type Caller,
  CurrentCaller,
  Operation,
  Roles,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";
import { CapacityRepository } from "./capacity-repository.js";
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { InitializeCapacityUseCase } from "./usecases/initialize-capacity.usecase.js";

/**
 * Initialisation answers once the chain confirmed it; the read model follows from the
 * chain (see lastHeight). Reads come from the read model only.
 */
@ApiTags("capacity")
@Controller()
export class CapacityController {
  constructor(
    @Inject(InitializeCapacityUseCase) private readonly initializeCapacity: InitializeCapacityUseCase,
    @Inject(CapacityRepository) private readonly capacities: CapacityRepository,
  ) {}

  @Operation({
    summary: "Initialises an approved facility's stored energy on chain (its owner or an operator), once.",
    answers: initializeCapacityAnswer,
    refuses: [CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS, STATUS_BY_CONTRACT_ERROR, { FACILITY_NOT_FOUND: 404 }],
  })
  @Post("facilities/:id/capacity")
  @Roles("owner", "operator")
  initialize(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(initializeCapacityBody) body: z.output<typeof initializeCapacityBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<InitializeCapacityResult> {
    return this.initializeCapacity.execute({
      caller,
      facilityId: id,
      storedKwh: body.storedKwh,
      ...(body.actAs ? { actAs: body.actAs } : {}),
    });
  }

  @Operation({
    summary: "Approved facilities whose capacity is not initialised yet, by id; a page at a time.",
    answers: awaitingInitialisationAnswer,
  })
  @Get("facilities/awaiting-initialisation")
  async awaiting(
    @ZodQuery(capacityPageQuery) query: z.output<typeof capacityPageQuery>,
  ): Promise<AwaitingInitialisationPage> {
    const rows = await this.capacities.awaitingInitialisation({ ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((f) => ({ facilityId: f.id, owner: f.owner, capacityKwh: Number(f.capacityKwh) })),
      nextAfter: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  @Operation({
    summary: "A facility's energy levels as the read model holds them.",
    answers: capacityAnswer,
    refuses: [{ CAPACITY_NOT_INITIALIZED: 404 }],
  })
  @Get("facilities/:id/capacity")
  async get(@ZodParam("id", facilityIdParam) id: number): Promise<Capacity> {
    const capacity = await this.capacities.findCapacity(id);
    if (capacity) return capacity;
    const approved = await this.capacities.findApprovedFacility(id);
    throw ApiError.notFound(
      "CAPACITY_NOT_INITIALIZED",
      approved
        ? `Facility ${id} is approved and waiting for its capacity to be initialised.`
        : `No capacity is tracked for facility ${id}.`,
      { facilityId: id, readyForInitialisation: approved !== undefined },
    );
  }

  @Operation({
    summary: "Every tracked facility's energy levels, by facility id; a page at a time.",
    answers: capacityPageAnswer,
  })
  @Get("capacities")
  list(@ZodQuery(capacityPageQuery) query: z.output<typeof capacityPageQuery>): Promise<CapacityPage> {
    return this.capacities.list(query);
  }
}
