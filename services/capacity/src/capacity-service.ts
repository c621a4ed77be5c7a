import type { INestApplication } from "@nestjs/common";
import type { NatsConnection } from "@nats-io/transport-node";
import type { StacksChain } from "@voltstack/chain";
import { JetStreamExceptionFilter, JetStreamServer, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import {
  type BootstrapOptions,
  bootstrapService,
  natsReadiness,
  ShutdownHooks,
  stacksNodeReadiness,
} from "@voltstack/service-kit";
import { AppModule } from "./app.module.js";
import type { CapacityConfig } from "./capacity-config.js";
import { FACILITY_STREAM } from "./chain-sync/capacity-events.stream.js";
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
  };
}

/**
 * Attaches the JetStream transport to a started application, so the @EventPattern
 * handlers consume (one durable consumer each, inbox in the service's schema), and
 * stops it first on shutdown.
 */
export async function connectEventConsumers(app: INestApplication, config: CapacityConfig): Promise<JetStreamServer> {
  const server = new JetStreamServer({
    service: "capacity",
    nats: app.get<NatsConnection>(NATS_CONNECTION),
    transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
    schema: config.CAPACITY_SCHEMA,
    ...(config.SUBJECT_PREFIX ? { subjectPrefix: config.SUBJECT_PREFIX } : {}),
    streams: [FACILITY_STREAM],
  });
  app.connectMicroservice({ strategy: server }).useGlobalFilters(new JetStreamExceptionFilter());
  await app.startAllMicroservices();
  app.get(ShutdownHooks).register("event consumers", () => server.close(), "intake");
  return server;
}

/** Starts the HTTP API, the chain follower and the event consumers. */
export async function startCapacityService(config: CapacityConfig): Promise<INestApplication> {
  const app = await bootstrapService(AppModule, capacityBootstrapOptions(config));
  await connectEventConsumers(app, config);
  return app;
}
