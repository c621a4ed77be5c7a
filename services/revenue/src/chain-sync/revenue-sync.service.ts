import { chainSyncServiceFor } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { forgetRevenueFrom, projectRevenueEvent } from "./revenue-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { RevenueConfig } from "../revenue-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * revenue-sharing's print events (ours and those sent straight from wallets alike)
 * with their outbox rows, and the relay publishes what committed.
 */
export class RevenueSyncService extends chainSyncServiceFor<"revenue-sharing", Prisma.TransactionClient, RevenueConfig>(
  {
    service: "revenue",
    contract: "revenue-sharing",
    logContext: "RevenueSync",
    stream: eventStreams.REVENUE,
    schema: (config) => config.REVENUE_SCHEMA,
    handle: projectRevenueEvent,
    forget: forgetRevenueFrom,
  },
) {}
