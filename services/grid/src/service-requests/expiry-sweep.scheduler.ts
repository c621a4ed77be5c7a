import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { type SignerKeyStore, SIGNER_KEYS } from "@voltstack/chain-sync";
import { type Caller, SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";
import { ExpirySweepUseCase } from "./usecases/expiry-sweep.usecase.js";

/** Runs the expiry sweep every EXPIRY_SWEEP_INTERVAL_MS as the configured admin principal. */
@Injectable()
export class ExpirySweepScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger("ExpirySweep");
  private timer: NodeJS.Timeout | undefined;
  private readonly caller: Caller | undefined;

  constructor(
    @Inject(ExpirySweepUseCase) private readonly sweep: ExpirySweepUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(SIGNER_KEYS) signers: SignerKeyStore,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    const principal = config.EXPIRY_SWEEP_PRINCIPAL ?? config.SIGNER_KEYS[0]?.principal;
    // The journal names the sweep as the one who asked.
    this.caller =
      principal && signers.has(principal)
        ? { id: "expiry-sweep", via: "api-key", roles: ["admin"], principals: [principal] }
        : undefined;
    hooks.register(
      "expiry sweep",
      async () => {
        clearInterval(this.timer);
        await this.sweep.idle();
      },
      "intake",
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.EXPIRY_SWEEP_INTERVAL_MS === 0 || !this.caller) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.EXPIRY_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    if (!this.caller) return;
    try {
      const result = await this.sweep.execute(this.caller);
      if (result.cancelled.length + result.failed.length > 0) {
        this.logger.log(
          `expiry sweep at height ${result.height}: ${result.cancelled.length} cancelled, ${result.failed.length} failed`,
        );
      }
    } catch (error) {
      this.logger.error(`expiry sweep failed: ${(error as Error).message}`);
    }
  }
}
