import { serviceEventConsumers, serviceReadiness } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import type { BootstrapOptions } from "@voltstack/service-kit";
import { type FlowConfig, REPLAN_TRANSACTION_MARGIN_MS } from "./flow-config.js";

/** How the flow service is bootstrapped, by main.ts and by the tests alike. */
export function flowBootstrapOptions(config: FlowConfig): BootstrapOptions {
  return {
    name: "flow",
    config,
    openApi: {
      title: "Flow service",
      version: "1.0.0",
      description:
        "Grid demand and thresholds, charge and discharge records, suggested actions and schedules over the " +
        "charge-discharge contract. Writes answer once the chain confirmed them; reads come from the read model.",
    },
    readiness: serviceReadiness,
    // Capacity events (the capacity service's stream), grid demand events and price curves (its
    // own) and program enrolments (grid's) replan schedules, inside the handler's transaction:
    // it may hold an optimal solve, so it may last the solver's timeout and then some.
    eventConsumers: (app) =>
      serviceEventConsumers(app, {
        service: "flow",
        schema: config.FLOW_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.FLOW, eventStreams.CAPACITY, eventStreams.FACILITIES, eventStreams.GRID_SERVICES],
        transactionTimeoutMs: config.OPTIMISER_TIMEOUT_MS + REPLAN_TRANSACTION_MARGIN_MS,
      }),
  };
}
