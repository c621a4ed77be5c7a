import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Global, Inject, Module } from "@nestjs/common";
import type { Pool } from "pg";
import { StacksChain } from "@voltstack/chain";
import { SignerKeyStore, TransactionJournal } from "@voltstack/chain-sync";
import { prismaExecutor } from "@voltstack/messaging";
import { createPgPool, createPrismaClient } from "@voltstack/persistence";
import { SERVICE_CONFIG, ShutdownHooks } from "@voltstack/service-kit";
import { PrismaClient } from "../generated/prisma/client.js";
import type { FlowConfig } from "../flow-config.js";
import { NATS_CONNECTION, PG_POOL, PRISMA, SIGNER_KEYS, STACKS_CHAIN, TRANSACTION_JOURNAL } from "./tokens.js";

function databaseOptions(config: FlowConfig, applicationName: string, max: number) {
  return {
    url: config.DATABASE_URL,
    schema: config.FLOW_SCHEMA,
    applicationName,
    pool: {
      max,
      idleTimeoutMs: config.DATABASE_POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    },
  };
}

/** PostgreSQL, NATS, the chain and the signer keys: one instance each for the whole service. */
@Global()
@Module({
  providers: [
    {
      provide: PRISMA,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) =>
        createPrismaClient(PrismaClient, databaseOptions(config, "flow", config.DATABASE_POOL_MAX)),
    },
    {
      // The outbox relay's own pool: one LISTEN connection plus its batches.
      provide: PG_POOL,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) => createPgPool(databaseOptions(config, "flow-relay", 3)),
    },
    {
      provide: NATS_CONNECTION,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) => connect({ servers: config.NATS_URL, name: "flow" }),
    },
    {
      provide: STACKS_CHAIN,
      inject: [SERVICE_CONFIG],
      useFactory: (config: FlowConfig) =>
        new StacksChain({
          network: config.STACKS_NETWORK,
          url: config.STACKS_API_URL,
          contracts: { deployer: config.CONTRACT_DEPLOYER },
          confirmation: {
            timeoutMs: config.CHAIN_CONFIRMATION_TIMEOUT_MS,
            pollIntervalMs: Math.min(config.CHAIN_POLL_INTERVAL_MS, 1_000),
          },
        }),
    },
    {
      provide: SIGNER_KEYS,
      inject: [SERVICE_CONFIG, STACKS_CHAIN],
      useFactory: (config: FlowConfig, chain: StacksChain) => SignerKeyStore.load(chain, config.SIGNER_KEYS),
    },
    {
      provide: TRANSACTION_JOURNAL,
      inject: [PRISMA],
      useFactory: (prisma: PrismaClient) => new TransactionJournal(prismaExecutor(prisma)),
    },
  ],
  exports: [PRISMA, PG_POOL, NATS_CONNECTION, STACKS_CHAIN, SIGNER_KEYS, TRANSACTION_JOURNAL],
})
export class InfrastructureModule {
  constructor(
    @Inject(ShutdownHooks) hooks: ShutdownHooks,
    @Inject(PRISMA) prisma: PrismaClient,
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
  ) {
    hooks.register("nats", () => nats.drain(), "close");
    hooks.register("postgres (prisma)", () => prisma.$disconnect(), "close");
    hooks.register("postgres (relay pool)", () => pool.end(), "close");
  }
}
