export type ScoringInputErrorCode =
  "STEP_INVALID" | "SERIES_LENGTHS_DIFFER" | "COMMITTED_POWER_INVALID" | "PAYMENT_INPUT_INVALID";

/** Input that cannot be scored: a stable code for machines and a sentence for people. */
export class ScoringInputError extends Error {
  constructor(
    readonly code: ScoringInputErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ScoringInputError";
  }
}
