import type {
  Horizon,
  PlannedSchedule,
  PlanningFacility,
  PlanningInputs,
  SchedulingStrategy,
} from "../../scheduling-strategy.js";
import { planSchedule, STEP_MINUTES } from "./contract-rule.js";

/**
 * charge-discharge's threshold rule applied step after step: the baseline every other strategy
 * is compared with, and the fallback when one cannot plan. It reads demand, not prices, and
 * plans hourly steps whatever the horizon's step length.
 */
export class ContractRuleStrategy implements SchedulingStrategy {
  readonly name = "contract-rule" as const;

  plan(facilities: PlanningFacility[], inputs: PlanningInputs, horizon: Horizon): Promise<PlannedSchedule[]> {
    return Promise.resolve(
      facilities.map(({ state }) => ({
        facilityId: state.facilityId,
        strategy: this.name,
        stepMinutes: STEP_MINUTES,
        steps: planSchedule(state, inputs.demand, { startsAt: horizon.startsAt, count: horizon.count }),
        expectedRevenueMicroStx: null,
      })),
    );
  }
}
