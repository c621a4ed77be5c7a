import type { StreamSpec } from "@voltstack/messaging";

/** The stream of everything the grid service publishes (declared idempotently at start-up). */
export const GRID_STREAM: StreamSpec = {
  name: "GRID_SERVICES",
  subjects: ["frequency.>", "service.>"],
  description: "Frequency and grid-service request events of the grid service, made from confirmed chain transactions",
};
