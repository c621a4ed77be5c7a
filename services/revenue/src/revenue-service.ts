import type { NatsConnection } from "@nats-io/transport-node";
import type { INestApplication } from "@nestjs/common";
import type { StacksChain } from "@voltstack/chain";
import { JetStreamExceptionFilter, JetStreamServer, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, ShutdownHooks, stacksNodeReadiness } from "@voltstack/service-kit";
import { GRID_SERVICES_STREAM } from "./chain-sync/revenue-events.stream.js";
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
  };
}

/**
 * Connects the service's event handlers (service.fulfilled) to JetStream on the
 * running application. Their consumers stop first on shutdown, before the follower,
 * the relay and the connections they use.
 */
export async function startEventConsumers(app: INestApplication, config: RevenueConfig): Promise<void> {
  const server = new JetStreamServer({
    service: "revenue",
    nats: app.get<NatsConnection>(NATS_CONNECTION),
    transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
    schema: config.REVENUE_SCHEMA,
    subjectPrefix: config.SUBJECT_PREFIX,
    streams: [GRID_SERVICES_STREAM],
    consumerDefaults: { ackWaitMs: config.EVENT_ACK_WAIT_MS },
  });
  app.get(ShutdownHooks).register("event consumers", () => server.close(), "intake");
  app
    .connectMicroservice({ strategy: server }, { inheritAppConfig: false })
    .useGlobalFilters(new JetStreamExceptionFilter());
  await app.startAllMicroservices();
}
