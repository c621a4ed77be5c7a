import { Inject, Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import type { GridConfig } from "../grid-config.js";
import { TelemetryRepository } from "./telemetry-repository.js";

const DAY_MS = 86_400_000;

/** Deletes telemetry and regulation signal minutes older than TELEMETRY_RETENTION_DAYS, every TELEMETRY_RETENTION_INTERVAL_MS. */
@Injectable()
export class TelemetryRetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger("TelemetryRetention");
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
  ) {
    hooks.register(
      "telemetry retention",
      async () => {
        clearInterval(this.timer);
        await this.sweeping;
      },
      "intake",
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.TELEMETRY_RETENTION_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => void this.runOnce(), this.config.TELEMETRY_RETENTION_INTERVAL_MS);
    this.timer.unref();
  }

  /** One delete of everything older than the retention as of `now`; returns the rows deleted (0 when it failed). */
  async runOnce(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.TELEMETRY_RETENTION_DAYS * DAY_MS);
    const sweep = this.telemetry.deleteBefore(cutoff).catch((error: Error) => {
      this.logger.error(`telemetry retention delete failed: ${error.message}`);
      return 0;
    });
    this.sweeping = sweep;
    const deleted = await sweep;
    if (deleted > 0) this.logger.log(`deleted ${deleted} telemetry minutes older than ${cutoff.toISOString()}`);
    return deleted;
  }
}
