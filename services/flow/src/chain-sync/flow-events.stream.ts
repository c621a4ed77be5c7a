import type { StreamSpec } from "@voltstack/messaging";

/** The stream of everything the flow service publishes (declared idempotently at start-up). */
export const FLOW_STREAM: StreamSpec = {
  name: "FLOW",
  subjects: ["grid.>", "flow.>"],
  description:
    "Grid demand and flow events of the flow service, made from confirmed chain transactions, and its schedules",
};

/**
 * The capacity service's stream, which capacity events arrive on. Declared here exactly
 * as its producer declares it (name, subjects, description, limits), so either service
 * may start first and ensureStreams finds nothing to change.
 */
export const CAPACITY_STREAM: StreamSpec = {
  name: "CAPACITY",
  subjects: ["capacity.>"],
  description: "Capacity tracking events of the capacity service, made from confirmed chain transactions",
};
