import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { ApiError, type Caller, CurrentCaller, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { ServiceRequestRepository, type ServiceRequestView } from "./service-request-repository.js";
import {
  acceptBody,
  adminActionBody,
  createServiceRequestBody,
  fulfilBody,
  listServiceRequestsQuery,
  requestIdParam,
} from "./service-request-requests.js";
import { AcceptServiceRequestUseCase } from "./usecases/accept-service-request.usecase.js";
import { CancelServiceRequestUseCase } from "./usecases/cancel-service-request.usecase.js";
import { CreateServiceRequestUseCase } from "./usecases/create-service-request.usecase.js";
import { FulfilServiceRequestUseCase } from "./usecases/fulfil-service-request.usecase.js";

type WriteAnswer = ChainWriteResult & { requestId: number };

/**
 * Writes answer once the chain confirmed the transaction and the follower read its
 * block; reads come from the read model.
 */
@ApiTags("service-requests")
@Controller("service-requests")
export class ServiceRequestsController {
  constructor(
    @Inject(CreateServiceRequestUseCase) private readonly createRequest: CreateServiceRequestUseCase,
    @Inject(AcceptServiceRequestUseCase) private readonly acceptRequest: AcceptServiceRequestUseCase,
    @Inject(FulfilServiceRequestUseCase) private readonly fulfilRequest: FulfilServiceRequestUseCase,
    @Inject(CancelServiceRequestUseCase) private readonly cancelRequest: CancelServiceRequestUseCase,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
  ) {}

  @Post()
  @Roles("admin")
  create(
    @ZodBody(createServiceRequestBody) body: z.output<typeof createServiceRequestBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.createRequest.execute({ caller, ...body });
  }

  @Post(":id/accept")
  @HttpCode(200)
  @Roles("owner", "operator")
  accept(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(acceptBody) body: z.output<typeof acceptBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer & { facilityId: number }> {
    return this.acceptRequest.execute({ caller, requestId: id, ...body });
  }

  @Post(":id/fulfil")
  @HttpCode(200)
  @Roles("admin")
  fulfil(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(fulfilBody) body: z.output<typeof fulfilBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer & { performanceBps: number; payoutUstx: string }> {
    return this.fulfilRequest.execute({ caller, requestId: id, ...body });
  }

  @Post(":id/cancel")
  @HttpCode(200)
  @Roles("admin")
  cancel(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(adminActionBody) body: z.output<typeof adminActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<WriteAnswer> {
    return this.cancelRequest.execute({ caller, requestId: id, ...body });
  }

  @Get()
  list(
    @ZodQuery(listServiceRequestsQuery) query: z.output<typeof listServiceRequestsQuery>,
  ): Promise<{ items: ServiceRequestView[]; nextAfter: number | null }> {
    return this.requests.list(query);
  }

  @Get(":id")
  async get(@ZodParam("id", requestIdParam) id: number): Promise<ServiceRequestView> {
    const request = await this.requests.find(id);
    if (!request) throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${id}.`, { requestId: id });
    return request;
  }
}
