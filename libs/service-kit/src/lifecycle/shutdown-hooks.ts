import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from "@nestjs/common";

/**
 * When a drain runs during shutdown: `intake` stops taking new work (event consumers),
 * `drain` finishes work already taken (the outbox relay publishing what is committed),
 * `close` releases what the others needed.
 */
export type ShutdownPhase = "intake" | "drain" | "close";
const PHASES: ShutdownPhase[] = ["intake", "drain", "close"];

export const SHUTDOWN_TIMEOUT_MS = Symbol("SHUTDOWN_TIMEOUT_MS");

interface Hook {
  name: string;
  phase: ShutdownPhase;
  run: () => Promise<void>;
}

/**
 * Where modules register what must happen before the process exits. Runs on SIGTERM
 * or SIGINT (or app.close()), phase by phase; hooks of one phase run together, and
 * the whole sequence gives up after SHUTDOWN_TIMEOUT_MS.
 */
@Injectable()
export class ShutdownHooks implements BeforeApplicationShutdown {
  private readonly logger = new Logger("Shutdown");
  private readonly hooks: Hook[] = [];

  constructor(@Inject(SHUTDOWN_TIMEOUT_MS) private readonly timeoutMs: number) {}

  register(name: string, run: () => Promise<void>, phase: ShutdownPhase = "drain"): void {
    this.hooks.push({ name, phase, run });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ""}`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.timeoutMs);
    });
    const outcome = await Promise.race([this.runPhases(), deadline]);
    clearTimeout(timer);
    if (outcome === "timeout") this.logger.warn(`Shutdown hooks did not finish within ${this.timeoutMs} ms`);
  }

  private async runPhases(): Promise<"done"> {
    for (const phase of PHASES) {
      const hooks = this.hooks.filter((hook) => hook.phase === phase);
      const results = await Promise.allSettled(hooks.map((hook) => hook.run()));
      results.forEach((result, index) => {
        if (result.status === "rejected")
          this.logger.error(`Shutdown hook ${hooks[index]!.name} failed: ${String(result.reason)}`);
      });
    }
    return "done";
  }
}
