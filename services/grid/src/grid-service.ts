import type { NatsConnection } from "@nats-io/transport-node";
import type { StacksChain } from "@voltstack/chain";
import { checkDatabaseReady } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness, stacksNodeReadiness } from "@voltstack/service-kit";
import type { PrismaClient } from "./generated/prisma/client.js";
import { NATS_CONNECTION, PRISMA, STACKS_CHAIN } from "./infrastructure/tokens.js";
import type { GridConfig } from "./grid-config.js";

/** How the grid service is bootstrapped, by main.ts and by the tests alike. */
export function gridBootstrapOptions(config: GridConfig): BootstrapOptions {
  return {
    name: "grid",
    config,
    openApi: {
      title: "Grid service",
      version: "1.0.0",
      description:
        "Frequency target and readings, and escrowed grid-service requests over the grid-services contract. " +
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
