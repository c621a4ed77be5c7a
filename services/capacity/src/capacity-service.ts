import { serviceEventConsumers, serviceReadiness } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import type { BootstrapOptions } from "@voltstack/service-kit";
import type { CapacityConfig } from "./capacity-config.js";

/** How the capacity service is bootstrapped, by main.ts and by the tests alike. */
export function capacityBootstrapOptions(config: CapacityConfig): BootstrapOptions {
  return {
    name: "capacity",
    config,
    openApi: {
      title: "Capacity service",
      version: "1.0.0",
      description:
        "Capacity initialisation and battery readings over the capacity-tracking contract. " +
        "Writes answer once the chain confirmed them; reads come from the read model the chain follower keeps.",
    },
    readiness: serviceReadiness,
    // facility.approved arrives on the verification service's stream, declared here too so either may start first.
    eventConsumers: (app) =>
      serviceEventConsumers(app, {
        service: "capacity",
        schema: config.CAPACITY_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.FACILITIES],
      }),
  };
}
