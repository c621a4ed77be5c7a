import type { StreamSpec } from "@voltstack/messaging";

/** The stream of everything the revenue service publishes (declared idempotently at start-up). */
export const REVENUE_STREAM: StreamSpec = {
  name: "REVENUE",
  subjects: ["shares.>", "revenue.>"],
  description: "Revenue-sharing events of the revenue service, made from confirmed chain transactions",
};

/**
 * The grid service's stream, which holds service.fulfilled. Declared here too so the
 * consumer can start before the grid service ever ran; the declaration must stay the
 * same as the grid service's, or the two would keep updating it.
 */
export const GRID_SERVICES_STREAM: StreamSpec = {
  name: "GRID_SERVICES",
  subjects: ["service.>", "frequency.>"],
  description: "Grid-services events of the grid service, made from confirmed chain transactions",
};
