import { Inject, Injectable, Logger } from "@nestjs/common";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import type { FlowConfig } from "../../flow-config.js";
import { RecordFlowUseCase } from "../../flow/usecases/record-flow.usecase.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { PRISMA } from "@voltstack/chain-sync";
import type { ScheduleStep } from "../scheduling-strategy.js";

export interface StepExecution {
  facilityId: number;
  stepStartsAt: string;
  action: "charge" | "discharge";
  energyKwh: number;
  status: "recorded" | "refused" | "failed";
  txid: string | null;
  code: string | null;
}

/**
 * Records on chain the step now under way of every facility whose owner asked for it
 * (executeOnChain), signed as the facility's owner or an operator with a key this service holds,
 * through the same use case as a recorded flow (its checks first, no fee for a refusal). Each step
 * is recorded at most once: its row is written before the record is signed, so a restart or a
 * second replica never records it again; a step missed while the service was down is not
 * recorded late (the energy did not move as planned then), and a refusal is kept with its code.
 */
@Injectable()
export class ExecuteDueStepsUseCase {
  private readonly logger = new Logger("ScheduleExecution");
  private readonly caller: Caller;

  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(RecordFlowUseCase) private readonly recordFlow: RecordFlowUseCase,
    @Inject(SERVICE_CONFIG) config: FlowConfig,
  ) {
    // It acts for whichever owner or operator keys the service holds; the registry decides which apply.
    this.caller = {
      id: "schedule-executor",
      via: "api-key",
      roles: ["owner", "operator"],
      principals: config.SIGNER_KEYS.map((source) => source.principal),
    };
  }

  execute(now: Date): Promise<StepExecution[]> {
    return withSpan("flow execute due steps", {}, async () => {
      const executing = await this.prisma.scheduleSettings.findMany({
        where: { executeOnChain: true },
        select: { facilityId: true },
      });
      const done: StepExecution[] = [];
      for (const { facilityId } of executing) {
        const schedule = await this.prisma.flowSchedule.findUnique({ where: { facilityId } });
        if (!schedule) continue;
        const stepMs = schedule.stepMinutes * 60_000;
        const step = (schedule.steps as unknown as ScheduleStep[]).find((candidate) => {
          const startsAt = Date.parse(candidate.startsAt);
          return startsAt <= now.getTime() && now.getTime() < startsAt + stepMs;
        });
        if (!step || step.action === "hold" || step.energyKwh === 0) continue;
        const executed = await this.execute1(facilityId, schedule.version, step);
        if (executed) done.push(executed);
      }
      return done;
    });
  }

  private async execute1(facilityId: number, version: number, step: ScheduleStep): Promise<StepExecution | null> {
    const stepStartsAt = new Date(step.startsAt);
    const action = step.action as "charge" | "discharge";
    const claimed = await this.prisma.scheduleExecution.createMany({
      data: [
        {
          facilityId,
          stepStartsAt,
          scheduleVersion: version,
          action,
          energyKwh: BigInt(step.energyKwh),
          status: "signing",
          executedAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
    if (claimed.count === 0) return null;
    const key = { facilityId_stepStartsAt: { facilityId, stepStartsAt } };
    let outcome: Pick<StepExecution, "status" | "txid" | "code"> & { message: string | null };
    try {
      const written = await this.recordFlow.execute({
        caller: this.caller,
        facilityId,
        action,
        energyKwh: step.energyKwh,
      });
      outcome = { status: "recorded", txid: written.txid, code: null, message: null };
    } catch (error) {
      const refused = error instanceof ApiError;
      outcome = {
        status: refused ? "refused" : "failed",
        txid: null,
        code: refused ? error.code : null,
        message: (error as Error).message.slice(0, 500),
      };
      this.logger.warn(
        `facility ${facilityId}'s ${action} step of ${step.startsAt} was not recorded: ${outcome.message}`,
      );
    }
    await this.prisma.scheduleExecution.update({ where: key, data: outcome });
    return {
      facilityId,
      stepStartsAt: step.startsAt,
      action,
      energyKwh: step.energyKwh,
      status: outcome.status,
      txid: outcome.txid,
      code: outcome.code,
    };
  }
}
