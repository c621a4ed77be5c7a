export type {
  AssetSchedule,
  BatteryAsset,
  FleetLimits,
  OptimisedSchedule,
  PowerSchedule,
  ReserveCommitment,
  ReserveOffer,
  ScheduleProblem,
  SolveStatus,
  StepMinutes,
} from "./problem.js";
export {
  type InfeasibleConstraint,
  InfeasibleScheduleError,
  InvalidScheduleInputError,
  ScheduleTimeoutError,
} from "./errors.js";
export { OptimiserPool, type OptimiserPoolOptions } from "./optimiser-pool.js";
export { type InProcessSolver, createInProcessSolver } from "./in-process-solver.js";
export type { FleetStrategy } from "./schedule-solve.js";
export { type ThresholdOptions, thresholdSchedule } from "./threshold-schedule.js";
export { type ScheduleRevenue, scheduleRevenue } from "./schedule-revenue.js";
export { integerEnergySteps } from "./integer-energy.js";
