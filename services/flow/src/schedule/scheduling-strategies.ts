import { type StrategyName } from "@voltstack/api";
import { Inject, Injectable, type OnModuleDestroy } from "@nestjs/common";
import { OptimiserPool } from "@voltstack/optimiser";
import { SERVICE_CONFIG } from "@voltstack/service-kit";
import type { FlowConfig } from "../flow-config.js";
import type { SchedulingStrategy } from "./scheduling-strategy.js";
import { ContractRuleStrategy } from "./strategies/contract-rule/contract-rule.strategy.js";
import { OptimalStrategy } from "./strategies/optimal/optimal.strategy.js";

/**
 * The strategies by name. The optimiser's worker threads start with the first optimal plan, so
 * a service whose facilities all follow the contract's rule runs none; they stop with the module.
 */
@Injectable()
export class SchedulingStrategies implements OnModuleDestroy {
  readonly contractRule = new ContractRuleStrategy();
  #pool: OptimiserPool | undefined;
  #optimal: OptimalStrategy | undefined;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: FlowConfig) {}

  get(name: StrategyName): SchedulingStrategy {
    if (name === "contract-rule") return this.contractRule;
    this.#pool ??= new OptimiserPool({
      workers: this.config.OPTIMISER_WORKERS,
      timeoutMs: this.config.OPTIMISER_TIMEOUT_MS,
    });
    this.#optimal ??= new OptimalStrategy(this.#pool);
    return this.#optimal;
  }

  async onModuleDestroy(): Promise<void> {
    await this.#pool?.close();
  }
}
