import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { FlowConfig } from "../flow-config.js";
import { ExecuteDueStepsUseCase, type StepExecution } from "./usecases/execute-due-steps.usecase.js";

/** Records due schedule steps on chain every SCHEDULE_EXECUTION_INTERVAL_MS; passes never overlap. */
@Injectable()
export class ScheduleExecutionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger("ScheduleExecution");
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<StepExecution[]> | undefined;

  constructor(
    @Inject(ExecuteDueStepsUseCase) private readonly executeDueSteps: ExecuteDueStepsUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: FlowConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    hooks.register(
      "schedule execution",
      async () => {
        clearInterval(this.timer);
        await this.running?.catch(() => undefined);
      },
      "intake",
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.SCHEDULE_EXECUTION_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => void this.runOnce(new Date()), this.config.SCHEDULE_EXECUTION_INTERVAL_MS);
    this.timer.unref();
  }

  /** One pass at `now`: records the step under way of each facility that asked for it. */
  async runOnce(now: Date): Promise<StepExecution[]> {
    this.running ??= this.executeDueSteps.execute(now).finally(() => {
      this.running = undefined;
    });
    try {
      return await this.running;
    } catch (error) {
      this.logger.error(`schedule execution failed: ${(error as Error).message}`);
      return [];
    }
  }
}
