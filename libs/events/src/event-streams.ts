/**
 * A JetStream stream of catalog subjects, in the shape of @voltstack/messaging's
 * StreamSpec (this library depends on no transport, so the shape is repeated, not imported).
 */
export interface EventStream {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly description: string;
}

/**
 * The streams that hold the catalog's subjects, one per publishing service, and CHAIN,
 * which every chain-following service publishes to. The
 * producer and every consumer declare the same constant at start-up, so whichever
 * starts first creates the stream and the others find nothing to change. Dead letters
 * (`dlq.>`) have their own stream, declared by @voltstack/messaging.
 */
export const eventStreams = {
  FACILITIES: {
    name: "FACILITIES",
    subjects: ["facility.>", "registry.>"],
    description: "Facility registry events of the verification service, made from confirmed chain transactions",
  },
  CAPACITY: {
    name: "CAPACITY",
    subjects: ["capacity.>"],
    description: "Capacity tracking events of the capacity service, made from confirmed chain transactions",
  },
  FLOW: {
    name: "FLOW",
    subjects: ["grid.>", "flow.>"],
    description:
      "Grid demand and flow events of the flow service, made from confirmed chain transactions, its schedules, and the price curves market feeds publish for it",
  },
  GRID_SERVICES: {
    name: "GRID_SERVICES",
    subjects: ["frequency.>", "service.>", "program.>"],
    description:
      "Frequency, grid-service request and program events of the grid service, made from confirmed chain transactions",
  },
  REVENUE: {
    name: "REVENUE",
    subjects: ["shares.>", "revenue.>"],
    description: "Revenue-sharing events of the revenue service, made from confirmed chain transactions",
  },
  TELEMETRY: {
    name: "TELEMETRY",
    subjects: ["telemetry.>"],
    description: "Facilities' metered samples (power, stored energy, frequency), which the grid service scores",
  },
  CHAIN: {
    name: "CHAIN",
    subjects: ["chain.>"],
    description:
      "Events about the chain itself (forks that orphaned applied facts), published by every chain-following service",
  },
} as const satisfies Record<string, EventStream>;
