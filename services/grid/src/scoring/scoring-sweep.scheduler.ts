import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { type SignerKeyStore, SIGNER_KEYS } from "@voltstack/chain-sync";
import { type Caller, SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";
import { ScoringSweepUseCase } from "./usecases/scoring-sweep.usecase.js";

/**
 * Runs the scoring sweep every PROGRAM_SCORING_INTERVAL_MS, posting as PROGRAM_SETTLE_PRINCIPAL
 * (an admin or scoring oracle; the first signer key when unset), the principal the settlement
 * sweep signs as.
 */
@Injectable()
export class ScoringSweepScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger("ScoringSweep");
  private timer: NodeJS.Timeout | undefined;
  private readonly caller: Caller | undefined;
  private readonly principal: string | undefined;

  constructor(
    @Inject(ScoringSweepUseCase) private readonly sweep: ScoringSweepUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(SIGNER_KEYS) signers: SignerKeyStore,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    const principal = config.PROGRAM_SETTLE_PRINCIPAL ?? config.SIGNER_KEYS[0]?.principal;
    if (principal && signers.has(principal)) {
      this.principal = principal;
      this.caller = { id: "scoring-sweep", via: "api-key", roles: ["admin"], principals: [principal] };
    }
    hooks.register(
      "scoring sweep",
      async () => {
        clearInterval(this.timer);
        await this.sweep.idle();
      },
      "intake",
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.PROGRAM_SCORING_INTERVAL_MS === 0 || !this.caller) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.PROGRAM_SCORING_INTERVAL_MS);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    if (!this.caller || !this.principal) return;
    try {
      const result = await this.sweep.execute(this.caller, this.principal);
      for (const done of result.periods.filter((period) => period.posted > 0)) {
        this.logger.log(
          `program ${done.programId} period ${done.period}: ${done.scored} facilities scored from telemetry, ${done.posted} performances posted`,
        );
      }
    } catch (error) {
      this.logger.error(`scoring sweep failed: ${(error as Error).message}`);
    }
  }
}
