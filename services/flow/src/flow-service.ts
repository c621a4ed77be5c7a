import { serviceEventConsumers, serviceReadiness } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import type { BootstrapOptions } from "@voltstack/service-kit";
import type { FlowConfig } from "./flow-config.js";

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
    // Capacity events (the capacity service's stream) and grid demand events (its own) replan schedules.
    eventConsumers: (app) =>
      serviceEventConsumers(app, {
        service: "flow",
        schema: config.FLOW_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.FLOW, eventStreams.CAPACITY, eventStreams.FACILITIES],
      }),
  };
}
