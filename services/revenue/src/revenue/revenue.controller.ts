import { Controller, Get, Headers, HttpCode, Inject, Post, Put, Res } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import {
  ApiError,
  type Caller,
  CurrentCaller,
  Roles,
  stacksPrincipal,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";
import { paymentsCsv } from "./payments-csv.js";
import { type PaymentHistory, type PoolView, RevenueRepository } from "./revenue-repository.js";
import { actAsBody, facilityIdParam, formatQuery, setSharesBody } from "./revenue-requests.js";
import { DistributeRevenueUseCase } from "./usecases/distribute-revenue.usecase.js";
import { SetSharesUseCase } from "./usecases/set-shares.usecase.js";

/** The part of the HTTP response a CSV answer sets (Express's, under Nest). */
interface Response {
  setHeader(name: string, value: string): void;
}

/**
 * Writes answer once the chain confirmed the transaction; reads come from the read
 * model the follower keeps (see lastHeight).
 */
@ApiTags("revenue")
@Controller()
export class RevenueController {
  constructor(
    @Inject(SetSharesUseCase) private readonly setShares: SetSharesUseCase,
    @Inject(DistributeRevenueUseCase) private readonly distributeRevenue: DistributeRevenueUseCase,
    @Inject(RevenueRepository) private readonly revenue: RevenueRepository,
  ) {}

  @Put("facilities/:id/shares")
  @Roles("owner")
  setFacilityShares(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(setSharesBody) shares: z.output<typeof setSharesBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { facilityId: number; sharesVersion: number }> {
    return this.setShares.execute({ caller, facilityId: id, shares });
  }

  @Post("facilities/:id/distribute")
  @HttpCode(200)
  @Roles("owner", "operator", "admin")
  distribute(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(actAsBody) body: z.output<typeof actAsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { facilityId: number; distributionId: number }> {
    return this.distributeRevenue.execute({ caller, facilityId: id, ...(body.actAs ? { actAs: body.actAs } : {}) });
  }

  @Get("facilities/:id/pool")
  async pool(@ZodParam("id", facilityIdParam) id: number): Promise<PoolView> {
    const pool = await this.revenue.pool(id);
    if (!pool) {
      throw ApiError.notFound("POOL_NOT_FOUND", `Facility ${id} has had no shares and no revenue yet.`, {
        facilityId: id,
      });
    }
    return pool;
  }

  /** JSON, or CSV for accounting with `Accept: text/csv` or `?format=csv`. */
  @Get("facilities/:id/payments")
  async facilityPayments(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodQuery(formatQuery) query: z.output<typeof formatQuery>,
    @Headers("accept") accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentHistory | string> {
    return answer(await this.revenue.payments({ facilityId: id }), query.format, accept, response, `facility-${id}`);
  }

  @Get("stakeholders/:principal/payments")
  async stakeholderPayments(
    @ZodParam("principal", stacksPrincipal) principal: string,
    @ZodQuery(formatQuery) query: z.output<typeof formatQuery>,
    @Headers("accept") accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentHistory | string> {
    return answer(await this.revenue.payments({ stakeholder: principal }), query.format, accept, response, principal);
  }
}

function answer(
  history: PaymentHistory,
  format: "json" | "csv" | undefined,
  accept: string | undefined,
  response: Response,
  name: string,
): PaymentHistory | string {
  const csv = format === "csv" || (format === undefined && /\btext\/csv\b/i.test(accept ?? ""));
  if (!csv) return history;
  response.setHeader("content-type", "text/csv; charset=utf-8");
  response.setHeader("content-disposition", `attachment; filename="payments-${name}.csv"`);
  return paymentsCsv(history);
}
