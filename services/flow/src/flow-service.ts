import type { NatsConnection } from "@nats-io/transport-node";
import type { INestApplication } from "@nestjs/common";
import type { StacksChain } from "@voltstack/chain";
import { JetStreamExceptionFilter, JetStreamServer, prismaTransactions } from "@voltstack/messaging";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, stacksNodeReadiness } from "@voltstack/service-kit";
import { CAPACITY_STREAM, FLOW_STREAM } from "./chain-sync/flow-events.stream.js";
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
  };
}

/**
 * Connects the event handlers (capacity and grid events, which replan schedules) to the
 * running HTTP application through the JetStream transport; app.close() stops them.
 */
export async function startEventHandlers(app: INestApplication, config: FlowConfig): Promise<void> {
  const server = new JetStreamServer({
    service: "flow",
    nats: app.get<NatsConnection>(NATS_CONNECTION),
    transactions: prismaTransactions(app.get<PrismaClient>(PRISMA)),
    schema: config.FLOW_SCHEMA,
    ...(config.SUBJECT_PREFIX ? { subjectPrefix: config.SUBJECT_PREFIX } : {}),
    streams: [FLOW_STREAM, CAPACITY_STREAM],
  });
  const microservice = app.connectMicroservice({ strategy: server });
  microservice.useGlobalFilters(new JetStreamExceptionFilter());
  await app.startAllMicroservices();
}
