import { serviceEventConsumers, serviceReadiness } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import type { BootstrapOptions } from "@voltstack/service-kit";
import type { RevenueConfig } from "./revenue-config.js";

/** How the revenue service is bootstrapped, by main.ts and by the tests alike. */
export function revenueBootstrapOptions(config: RevenueConfig): BootstrapOptions {
  return {
    name: "revenue",
    config,
    openApi: {
      title: "Revenue service",
      version: "1.0.0",
      description:
        "Stakeholder shares, revenue pools and their distribution over the revenue-sharing contract, " +
        "with payment histories for accounting. Writes answer once the chain confirmed them; reads come " +
        "from the read model the chain follower keeps. What fulfilments and program settlements owe is paid in batches, each payout exactly once.",
    },
    readiness: serviceReadiness,
    // service.fulfilled arrives on the grid service's stream, declared here too so either may start first;
    // shares.updated on the service's own, which its outbox relay declares as well.
    eventConsumers: (app) =>
      serviceEventConsumers(app, {
        service: "revenue",
        schema: config.REVENUE_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.GRID_SERVICES, eventStreams.REVENUE],
        consumerDefaults: { ackWaitMs: config.EVENT_ACK_WAIT_MS },
      }),
  };
}
