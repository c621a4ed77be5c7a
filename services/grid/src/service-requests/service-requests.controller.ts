import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  acceptBody,
  acceptServiceRequestAnswer,
  type AcceptServiceRequestResult,
  adminActionBody,
  createServiceRequestBody,
  fulfilBody,
  fulfilServiceRequestAnswer,
  type FulfilServiceRequestResult,
  listServiceRequestsQuery,
  requestIdParam,
  type ServiceRequest,
  serviceRequestAnswer,
  type ServiceRequestPage,
  serviceRequestPageAnswer,
  serviceRequestWriteAnswer,
  type ServiceRequestWrite,
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
import { FACILITY_WRITE_REFUSALS, GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
import { ServiceRequestRepository } from "./service-request-repository.js";
import { AcceptServiceRequestUseCase } from "./usecases/accept-service-request.usecase.js";
import { CancelServiceRequestUseCase } from "./usecases/cancel-service-request.usecase.js";
import { CreateServiceRequestUseCase } from "./usecases/create-service-request.usecase.js";
import { FulfilServiceRequestUseCase } from "./usecases/fulfil-service-request.usecase.js";

const NOT_FOUND = { REQUEST_NOT_FOUND: 404 };

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

  @Operation({
    summary:
      "Posts a paid service request (admin): its payment is held in escrow on chain until fulfilment or cancellation.",
    answers: serviceRequestWriteAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post()
  @Roles("admin")
  create(
    @ZodBody(createServiceRequestBody) body: z.output<typeof createServiceRequestBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ServiceRequestWrite> {
    return this.createRequest.execute({ caller, ...body });
  }

  @Operation({
    summary: "Accepts an open request for a facility with the capacity and power it needs (its owner or an operator).",
    answers: acceptServiceRequestAnswer,
    refuses: [...FACILITY_WRITE_REFUSALS, NOT_FOUND],
  })
  @Post(":id/accept")
  @HttpCode(200)
  @Roles("owner", "operator")
  accept(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(acceptBody) body: z.output<typeof acceptBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<AcceptServiceRequestResult> {
    return this.acceptRequest.execute({ caller, requestId: id, ...body });
  }

  @Operation({
    summary:
      "Fulfils an accepted request with the measured performance (admin): the payout goes to the facility's pool, the rest back to the requester.",
    answers: fulfilServiceRequestAnswer,
    refuses: [...GRID_WRITE_REFUSALS, NOT_FOUND],
  })
  @Post(":id/fulfil")
  @HttpCode(200)
  @Roles("admin")
  fulfil(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(fulfilBody) body: z.output<typeof fulfilBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<FulfilServiceRequestResult> {
    return this.fulfilRequest.execute({ caller, requestId: id, ...body });
  }

  @Operation({
    summary: "Cancels an open request (admin), refunding its payment in full.",
    answers: serviceRequestWriteAnswer,
    refuses: [...GRID_WRITE_REFUSALS, NOT_FOUND],
  })
  @Post(":id/cancel")
  @HttpCode(200)
  @Roles("admin")
  cancel(
    @ZodParam("id", requestIdParam) id: number,
    @ZodBody(adminActionBody) body: z.output<typeof adminActionBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ServiceRequestWrite> {
    return this.cancelRequest.execute({ caller, requestId: id, ...body });
  }

  @Operation({
    summary: "The service requests, by id, filtered by status or facility; a page at a time.",
    answers: serviceRequestPageAnswer,
  })
  @Get()
  list(
    @ZodQuery(listServiceRequestsQuery) query: z.output<typeof listServiceRequestsQuery>,
  ): Promise<ServiceRequestPage> {
    return this.requests.list(query);
  }

  @Operation({
    summary: "One service request as the read model holds it.",
    answers: serviceRequestAnswer,
    refuses: [NOT_FOUND],
  })
  @Get(":id")
  async get(@ZodParam("id", requestIdParam) id: number): Promise<ServiceRequest> {
    const request = await this.requests.find(id);
    if (!request) throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${id}.`, { requestId: id });
    return request;
  }
}
