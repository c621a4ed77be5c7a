import { Controller, Get, Headers, HttpCode, Inject, Post, Put, Res } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import {
  actAsBody,
  distributeAnswer,
  type DistributeResult,
  facilityIdParam,
  formatQuery,
  paymentsAnswer,
  paymentsCsvAnswer,
  type PaymentHistory,
  poolAnswer,
  type RevenuePool,
  setSharesAnswer,
  setSharesBody,
  type SetSharesResult,
  stacksPrincipal,
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
import { STATUS_BY_CONTRACT_ERROR } from "../chain/chain-write-errors.js";
import { paymentsCsv } from "./payments-csv.js";
import { RevenueRepository } from "./revenue-repository.js";
import { DistributeRevenueUseCase } from "./usecases/distribute-revenue.usecase.js";
import { SetSharesUseCase } from "./usecases/set-shares.usecase.js";

/** The part of the HTTP response a CSV answer sets (Express's, under Nest). */
interface Response {
  setHeader(name: string, value: string): void;
}

const WRITE_REFUSALS = [
  CHAIN_WRITE_REFUSALS,
  FACILITY_SIGNER_REFUSALS,
  STATUS_BY_CONTRACT_ERROR,
  { FACILITY_NOT_FOUND: 404 },
];

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

  @Operation({
    summary: "Sets the facility's stakeholders and their shares in basis points, summing to 10000 (its owner).",
    answers: setSharesAnswer,
    refuses: WRITE_REFUSALS,
  })
  @Put("facilities/:id/shares")
  @Roles("owner")
  setFacilityShares(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(setSharesBody) shares: z.output<typeof setSharesBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SetSharesResult> {
    return this.setShares.execute({ caller, facilityId: id, shares });
  }

  @Operation({
    summary: "Pays out the facility's pool to its stakeholders by their shares (its owner, an operator or an admin).",
    answers: distributeAnswer,
    refuses: WRITE_REFUSALS,
  })
  @Post("facilities/:id/distribute")
  @HttpCode(200)
  @Roles("owner", "operator", "admin")
  distribute(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodBody(actAsBody) body: z.output<typeof actAsBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<DistributeResult> {
    return this.distributeRevenue.execute({ caller, facilityId: id, ...(body.actAs ? { actAs: body.actAs } : {}) });
  }

  @Operation({
    summary: "The facility's revenue pool: balance, what was deposited and distributed, and the shares in force.",
    answers: poolAnswer,
    refuses: [{ POOL_NOT_FOUND: 404 }],
  })
  @Get("facilities/:id/pool")
  async pool(@ZodParam("id", facilityIdParam) id: number): Promise<RevenuePool> {
    const pool = await this.revenue.pool(id);
    if (!pool) {
      throw ApiError.notFound("POOL_NOT_FOUND", `Facility ${id} has had no shares and no revenue yet.`, {
        facilityId: id,
      });
    }
    return pool;
  }

  /** JSON, or CSV for accounting with `Accept: text/csv` or `?format=csv`. */
  @Operation({
    summary:
      "Every payment to the facility's stakeholders, with their total (CSV with Accept: text/csv or ?format=csv).",
    answers: paymentsAnswer,
    alternatives: { "text/csv": paymentsCsvAnswer },
  })
  @Get("facilities/:id/payments")
  async facilityPayments(
    @ZodParam("id", facilityIdParam) id: number,
    @ZodQuery(formatQuery) query: z.output<typeof formatQuery>,
    @Headers("accept") accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentHistory | string> {
    return answer(await this.revenue.payments({ facilityId: id }), query.format, accept, response, `facility-${id}`);
  }

  @Operation({
    summary: "Every payment to a stakeholder, with their total (CSV with Accept: text/csv or ?format=csv).",
    answers: paymentsAnswer,
    alternatives: { "text/csv": paymentsCsvAnswer },
  })
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
  response.setHeader("x-total-count", String(history.count));
  response.setHeader("x-total-ustx", history.totalUstx);
  return paymentsCsv(history);
}
