import type { NatsConnection } from "@nats-io/transport-node";
import type { StacksChain } from "@voltstack/chain";
import { eventStreams } from "@voltstack/events";
import { jetStreamConsumers, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, stacksNodeReadiness } from "@voltstack/service-kit";
import type { PrismaClient } from "./generated/prisma/client.js";
import { NATS_CONNECTION, PRISMA, STACKS_CHAIN } from "./infrastructure/tokens.js";
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
        "from the read model the chain follower keeps. Each fulfilment's pool is distributed exactly once.",
    },
    readiness: {
      inject: [PRISMA, NATS_CONNECTION, STACKS_CHAIN],
      useFactory: (prisma: PrismaClient, nats: NatsConnection, chain: StacksChain) => ({
        postgres: () => checkDatabaseReady(prisma),
        nats: natsReadiness(nats),
        chain: stacksNodeReadiness(chain.network.url),
      }),
    },
    // service.fulfilled arrives on the grid service's stream, declared here too so either may start first;
    // shares.updated on the service's own, which its outbox relay declares as well.
    eventConsumers: (app) =>
      jetStreamConsumers({
        service: "revenue",
        nats: app.get<NatsConnection>(NATS_CONNECTION),
        transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
        schema: config.REVENUE_SCHEMA,
        subjectPrefix: config.SUBJECT_PREFIX,
        streams: [eventStreams.GRID_SERVICES, eventStreams.REVENUE],
        consumerDefaults: { ackWaitMs: config.EVENT_ACK_WAIT_MS },
      }),
  };
}
