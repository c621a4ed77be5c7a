import type { NatsConnection } from "@nats-io/transport-node";
import type { StacksChain } from "@voltstack/chain";
import { eventStreams } from "@voltstack/events";
import { jetStreamConsumers, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, stacksNodeReadiness } from "@voltstack/service-kit";
import type { FlowConfig } from "./flow-config.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import { NATS_CONNECTION, PRISMA, STACKS_CHAIN } from "./infrastructure/tokens.js";

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
    readiness: {
      inject: [PRISMA, NATS_CONNECTION, STACKS_CHAIN],
      useFactory: (prisma: PrismaClient, nats: NatsConnection, chain: StacksChain) => ({
        postgres: () => checkDatabaseReady(prisma),
        nats: natsReadiness(nats),
        chain: stacksNodeReadiness(chain.network.url),
      }),
    },
    // Capacity events (the capacity service's stream) and grid demand events (its own) replan schedules.
    eventConsumers: (app) =>
      jetStreamConsumers({
        service: "flow",
        nats: app.get<NatsConnection>(NATS_CONNECTION),
        transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
        schema: config.FLOW_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.FLOW, eventStreams.CAPACITY, eventStreams.FACILITIES],
      }),
  };
}
