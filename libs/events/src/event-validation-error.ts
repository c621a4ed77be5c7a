import { z } from "zod";

/** An event that does not match its catalog schema. Never worth retrying. */
export class EventValidationError extends Error {
  readonly code = "EVENT_INVALID";

  constructor(
    readonly eventType: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`Invalid ${eventType} event:\n${z.prettifyError({ issues: [...issues] })}`);
    this.name = "EventValidationError";
  }
}
