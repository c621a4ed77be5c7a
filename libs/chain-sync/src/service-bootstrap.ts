import type { NatsConnection } from "@nats-io/transport-node";
import type { INestApplication } from "@nestjs/common";
import type { StacksChain } from "@voltstack/chain";
import {
  jetStreamConsumers,
  type JetStreamServerOptions,
  type PrismaRawClient,
  type PrismaTransactionClient,
  prismaTransactions,
} from "@voltstack/messaging";
import { checkDatabaseReady, type RawQueryable } from "@voltstack/persistence";
import { type BootstrapOptions, natsReadiness } from "@voltstack/service-kit";
import { chainReadiness } from "./chain-readiness.js";
import { NATS_CONNECTION, PRISMA, SIGNING_LEASES, STACKS_CHAIN } from "./service-infrastructure.js";
import type { SigningLeases } from "./signing-lease.js";

/**
 * Ready when PostgreSQL and NATS answer and the Stacks API answered the service's own
 * recent requests on the configured network: what every service needs to work.
 */
export const serviceReadiness: NonNullable<BootstrapOptions["readiness"]> = {
  inject: [PRISMA, NATS_CONNECTION, STACKS_CHAIN, SIGNING_LEASES],
  useFactory: (prisma: RawQueryable, nats: NatsConnection, chain: StacksChain, leases: SigningLeases | null) => ({
    postgres: () => checkDatabaseReady(prisma),
    nats: natsReadiness(nats),
    chain: chainReadiness(chain),
    // Not ready while another process holds a signing lease of this service's keys (its id and expiry in the error).
    ...(leases ? { signing: () => leases.assertReady() } : {}),
  }),
};

/** The JetStream consumers of a service's event handlers, over its infrastructure's NATS and PostgreSQL. */
export function serviceEventConsumers(
  app: INestApplication,
  options: Omit<JetStreamServerOptions, "nats" | "transactions">,
): ReturnType<typeof jetStreamConsumers> {
  return jetStreamConsumers({
    ...options,
    nats: app.get<NatsConnection>(NATS_CONNECTION),
    transactions: prismaTransactions(app.get<PrismaTransactionClient<PrismaRawClient>>(PRISMA)),
  });
}
