import { Inject, Injectable } from "@nestjs/common";
import type { FulfilFromTelemetryResult, RequestScore } from "@voltstack/api";
import { PRISMA } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.js";
import { ServiceRequestRepository } from "../../service-requests/service-request-repository.js";
import { FulfilServiceRequestUseCase } from "../../service-requests/usecases/fulfil-service-request.usecase.js";
import { TelemetryRepository } from "../../telemetry/telemetry-repository.js";
import type { ContainmentProfileName } from "@voltstack/api";
import { type ScoringMethod, scorePeriod, scoringMethodOf } from "../period-score.js";

export interface FulfilFromTelemetryCommand {
  caller: Caller;
  requestId: number;
  from: string;
  to: string;
  containmentProfile: ContainmentProfileName;
  actAs?: string;
}

/**
 * An admin fulfils an accepted request with a performance computed from the accepting facility's
 * telemetry over the window it delivered in (the request's power as the commitment, its service
 * type choosing the method), instead of a number typed in. The score is kept first, then the
 * fulfilment is signed as with a typed performance; the kept score says why the payout is what
 * it is. Signal-following types (regulation, aFRR) are refused: a request carries no dispatch signal.
 */
@Injectable()
export class FulfilFromTelemetryUseCase {
  constructor(
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(FulfilServiceRequestUseCase) private readonly fulfil: FulfilServiceRequestUseCase,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
  ) {}

  execute(command: FulfilFromTelemetryCommand): Promise<FulfilFromTelemetryResult> {
    const { requestId } = command;
    return withSpan("grid fulfil-from-telemetry", { "voltstack.request_id": requestId }, async () => {
      const request = await this.requests.find(requestId);
      if (!request) {
        throw ApiError.notFound("REQUEST_NOT_FOUND", `There is no service request ${requestId}.`, { requestId });
      }
      await this.facts.assertAdmin(this.writer.actingPrincipal(command.caller, command.actAs));
      if (request.status !== "accepted" || request.facilityId === null) {
        throw gridRefusal(
          "ERR_REQUEST_NOT_ACCEPTED",
          `Service request ${requestId} is ${request.status}, not accepted.`,
          {
            requestId,
            status: request.status,
          },
        );
      }
      const method = scoringMethodOf(request.serviceType);
      if (method === "regulation") {
        throw ApiError.unprocessable(
          "REQUEST_NOT_SCORABLE",
          `A ${request.serviceType} request follows a dispatch signal no request carries; fulfil it with a performance.`,
          { requestId, serviceType: request.serviceType },
        );
      }
      const from = new Date(command.from);
      const to = new Date(command.to);
      if (to.getTime() > Date.now()) {
        throw ApiError.badRequest("SCORING_WINDOW_NOT_ENDED", `The window ends at ${command.to}, after now.`, {
          requestId,
          to: command.to,
          now: new Date().toISOString(),
        });
      }
      const series = await this.telemetry.series(request.facilityId, from, to);
      const committedKw = BigInt(request.powerKw);
      const score = scorePeriod(request.serviceType, command.containmentProfile, committedKw, {
        stepSeconds: series.stepSeconds,
        powerW: series.powerW,
        frequencyMilliHz: series.frequencyMilliHz,
        signalBps: null,
      });
      const row = {
        facilityId: request.facilityId,
        method: score.method,
        performanceBps: score.performanceBps,
        deliveredKwh: BigInt(score.deliveredKwh),
        committedKw,
        windowFrom: from,
        windowTo: to,
        breakdown: score.breakdown as Prisma.InputJsonValue,
        series: score.series as Prisma.InputJsonValue,
        scoredAt: new Date(),
      };
      // Until the fulfilment confirms nothing is paid, so a second try replaces the score.
      await this.prisma.requestScore.upsert({ where: { requestId }, create: { requestId, ...row }, update: row });
      const fulfilled = await this.fulfil.execute({
        caller: command.caller,
        requestId,
        performanceBps: score.performanceBps,
        ...(command.actAs ? { actAs: command.actAs } : {}),
      });
      return { ...fulfilled, score: requestScoreView({ requestId, ...row }) };
    });
  }
}

export function requestScoreView(row: {
  requestId: number;
  facilityId: number;
  method: string;
  performanceBps: number;
  deliveredKwh: bigint;
  committedKw: bigint;
  windowFrom: Date;
  windowTo: Date;
  breakdown: unknown;
  scoredAt: Date;
}): RequestScore {
  return {
    requestId: row.requestId,
    facilityId: row.facilityId,
    method: row.method as ScoringMethod,
    performanceBps: row.performanceBps,
    deliveredKwh: Number(row.deliveredKwh),
    committedKw: Number(row.committedKw),
    window: { from: row.windowFrom.toISOString(), to: row.windowTo.toISOString(), stepSeconds: 2 },
    breakdown: row.breakdown as Record<string, unknown>,
    scoredAt: row.scoredAt.toISOString(),
  };
}
