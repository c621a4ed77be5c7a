import type { NatsConnection } from "@nats-io/transport-node";
import type { INestApplication } from "@nestjs/common";
import type { StacksChain } from "@voltstack/chain";
import {
  jetStreamConsumers,
  type JetStreamServerOptions,
  type NatsConnectionWatch,
  type PrismaRawClient,
  type PrismaTransactionClient,
  prismaTransactions,
} from "@voltstack/messaging";
import { checkDatabaseReady, type RawQueryable } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness } from "@voltstack/service-kit";
import { chainReadiness } from "./chain-readiness.js";
import {
  EVENT_CONSUMERS,
  type EventConsumersSlot,
  NATS_CONNECTION,
  NATS_WATCH,
  PRISMA,
  SIGNING_LEASES,
  STACKS_CHAIN,
} from "./service-infrastructure.js";
import type { SigningLeases } from "./signing-lease.js";

/**
 * Ready when PostgreSQL and NATS answer, the Stacks API answered the service's own
 * recent requests on the configured network and every event consumer fetches with no
 * handler stuck: what every service needs to work. Each one down says why.
 */
export const serviceReadiness: NonNullable<BootstrapOptions["readiness"]> = {
  inject: [PRISMA, NATS_CONNECTION, NATS_WATCH, STACKS_CHAIN, SIGNING_LEASES, EVENT_CONSUMERS],
  useFactory: (
    prisma: RawQueryable,
    nats: NatsConnection,
    natsWatch: NatsConnectionWatch,
    chain: StacksChain,
    leases: SigningLeases | null,
    consumers: EventConsumersSlot,
  ) => ({
    postgres: () => checkDatabaseReady(prisma),
    nats: natsReadiness(nats, natsWatch),
    chain: chainReadiness(chain),
    consumers: async () => {
      const { notReady, notLive } = consumers.health();
      if (notReady.length + notLive.length > 0) throw new Error([...notLive, ...notReady].join("; "));
    },
    // Not ready while another process holds a signing lease of this service's keys (its id and expiry in the error).
    ...(leases ? { signing: () => leases.assertReady() } : {}),
  }),
};

/**
 * The JetStream consumers of a service's event handlers, over its infrastructure's NATS and
 * PostgreSQL, reporting to its readiness and liveness. `transactionTimeoutMs` lets a handler's
 * transaction run longer than Prisma's 5 s default (a handler that solves a model inside it).
 */
export function serviceEventConsumers(
  app: INestApplication,
  {
    transactionTimeoutMs,
    ...options
  }: Omit<JetStreamServerOptions, "nats" | "transactions"> & {
    transactionTimeoutMs?: number;
  },
): ReturnType<typeof jetStreamConsumers> {
  const consumers = jetStreamConsumers({
    ...options,
    nats: app.get<NatsConnection>(NATS_CONNECTION),
    transactions: prismaTransactions(
      app.get<PrismaTransactionClient<PrismaRawClient>>(PRISMA),
      transactionTimeoutMs === undefined ? undefined : { timeout: transactionTimeoutMs },
    ),
  });
  app.get<EventConsumersSlot>(EVENT_CONSUMERS).consumers = consumers.transport;
  return consumers;
}
