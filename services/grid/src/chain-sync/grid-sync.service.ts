import { chainSyncServiceFor } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { forgetGridStateFrom, projectGridEvent } from "./grid-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { GridConfig } from "../grid-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * grid-services print events (ours and those sent straight from wallets alike) with
 * their outbox rows, and the relay publishes what committed.
 */
export class GridSyncService extends chainSyncServiceFor<"grid-services", Prisma.TransactionClient, GridConfig>({
  service: "grid",
  contract: "grid-services",
  logContext: "GridSync",
  stream: eventStreams.GRID_SERVICES,
  schema: (config) => config.GRID_SCHEMA,
  handle: projectGridEvent,
  forget: forgetGridStateFrom,
}) {}
