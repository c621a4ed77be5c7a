import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { type SignerKeyStore, SIGNER_KEYS } from "@voltstack/chain-sync";
import { type Caller, SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";
import { SettleCohortPeriodUseCase } from "./usecases/settle-cohort-period.usecase.js";
import { SettlementSweepUseCase } from "./usecases/settlement-sweep.usecase.js";

/**
 * Runs the settlement sweep every PROGRAM_SETTLE_INTERVAL_MS, signing settle-period as
 * PROGRAM_SETTLE_PRINCIPAL (an admin or scoring oracle; the first signer key when unset). At the
 * default 5 s and 50 cohorts of 100 facilities a sweep, it keeps up with far more than 1,000
 * facility-periods a minute; the chain's block budget binds first.
 */
@Injectable()
export class SettlementSweepScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger("SettlementSweep");
  private timer: NodeJS.Timeout | undefined;
  private readonly caller: Caller | undefined;
  private readonly principal: string | undefined;

  constructor(
    @Inject(SettlementSweepUseCase) private readonly sweep: SettlementSweepUseCase,
    @Inject(SettleCohortPeriodUseCase) settle: SettleCohortPeriodUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(SIGNER_KEYS) signers: SignerKeyStore,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    const principal = config.PROGRAM_SETTLE_PRINCIPAL ?? config.SIGNER_KEYS[0]?.principal;
    if (principal && signers.has(principal)) {
      this.principal = principal;
      // The journal names the sweep as the one who asked.
      this.caller = { id: "settlement-sweep", via: "api-key", roles: ["admin"], principals: [principal] };
    }
    hooks.register(
      "settlement sweep",
      async () => {
        clearInterval(this.timer);
        await this.sweep.idle();
        await settle.idle();
      },
      "intake",
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.PROGRAM_SETTLE_INTERVAL_MS === 0 || !this.caller) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.PROGRAM_SETTLE_INTERVAL_MS);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    if (!this.caller || !this.principal) return;
    try {
      const result = await this.sweep.execute(this.caller, this.principal);
      const changed = result.settled.length + result.closed.length + result.released.length;
      if (changed + result.failed.length + result.endFailed.length > 0) {
        this.logger.log(
          `settlement sweep at height ${result.height}: ${result.settled.length} cohort-periods settled, ${result.failed.length} refused; ${result.closed.length} programs closed, ${result.released.length} cohorts released`,
        );
      }
      for (const failure of [...result.failed, ...result.endFailed]) {
        this.logger.warn(`program ${failure.programId} cohort ${failure.cohort}: ${failure.code} ${failure.message}`);
      }
    } catch (error) {
      this.logger.error(`settlement sweep failed: ${(error as Error).message}`);
    }
  }
}
