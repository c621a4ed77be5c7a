/** Which limit makes a schedule impossible; "combined-limits" when only the solver could tell. */
export type InfeasibleConstraint =
  "initial-energy" | "reserve-power" | "reserve-energy" | "end-target" | "fleet-limit" | "combined-limits";

export class InfeasibleScheduleError extends Error {
  readonly code = "SCHEDULE_INFEASIBLE";
  constructor(
    readonly constraint: InfeasibleConstraint,
    message: string,
    readonly assetId?: string,
  ) {
    super(message);
    this.name = "InfeasibleScheduleError";
  }
}

export class ScheduleTimeoutError extends Error {
  readonly code = "SCHEDULE_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`the schedule was not solved within ${timeoutMs} ms; the solver was stopped`);
    this.name = "ScheduleTimeoutError";
  }
}

export class InvalidScheduleInputError extends Error {
  readonly code = "SCHEDULE_INPUT_INVALID";
  constructor(
    /** Path of the offending input, e.g. "assets[2].maxChargeKw". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "InvalidScheduleInputError";
  }
}
