import { Controller, Get, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { ApiError, type Caller, CurrentCaller, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { CapacityRepository, type CapacityView } from "./capacity-repository.js";
import { facilityIdParam, initializeBody, pageQuery } from "./capacity-requests.js";
import { InitializeCapacityUseCase } from "./usecases/initialize-capacity.usecase.js";

/** A facility approved and waiting for its first capacity, as the API shows it. */
interface AwaitingView {
  facilityId: number;
  owner: string;
  capacityKwh: string;
}

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

  @Post("facilities/:id/capacity")
  @Roles("owner", "operator")
  initialize(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(initializeBody) body: z.output<typeof initializeBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { facilityId: number }> {
    return this.initializeCapacity.execute({
      caller,
      facilityId: id,
      storedKwh: body.storedKwh,
      ...(body.actAs ? { actAs: body.actAs } : {}),
    });
  }

  @Get("facilities/awaiting-initialisation")
  async awaiting(
    @ZodQuery(pageQuery) query: z.output<typeof pageQuery>,
  ): Promise<{ items: AwaitingView[]; nextAfter: number | null }> {
    const rows = await this.capacities.awaitingInitialisation({ ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((f) => ({ facilityId: f.id, owner: f.owner, capacityKwh: f.capacityKwh.toString() })),
      nextAfter: rows.length > query.limit ? page[page.length - 1]!.id : null,
    };
  }

  @Get("facilities/:id/capacity")
  async get(@ZodParam("id", facilityIdParam) id: number): Promise<CapacityView> {
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

  @Get("capacities")
  list(
    @ZodQuery(pageQuery) query: z.output<typeof pageQuery>,
  ): Promise<{ items: CapacityView[]; nextAfter: number | null }> {
    return this.capacities.list(query);
  }
}
