import type { NatsConnection } from "@nats-io/transport-node";
import type { StacksChain } from "@voltstack/chain";
import { eventStreams } from "@voltstack/events";
import { jetStreamConsumers, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, stacksNodeReadiness } from "@voltstack/service-kit";
import type { CapacityConfig } from "./capacity-config.js";
import type { PrismaClient } from "./generated/prisma/client.js";
import { NATS_CONNECTION, PRISMA, STACKS_CHAIN } from "./infrastructure/tokens.js";

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
    readiness: {
      inject: [PRISMA, NATS_CONNECTION, STACKS_CHAIN],
      useFactory: (prisma: PrismaClient, nats: NatsConnection, chain: StacksChain) => ({
        postgres: () => checkDatabaseReady(prisma),
        nats: natsReadiness(nats),
        chain: stacksNodeReadiness(chain.network.url),
      }),
    },
    // facility.approved arrives on the verification service's stream, declared here too so either may start first.
    eventConsumers: (app) =>
      jetStreamConsumers({
        service: "capacity",
        nats: app.get<NatsConnection>(NATS_CONNECTION),
        transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
        schema: config.CAPACITY_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.FACILITIES],
      }),
  };
}
