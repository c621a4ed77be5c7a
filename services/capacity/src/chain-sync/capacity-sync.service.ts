import { chainSyncServiceFor } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { forgetCapacitiesFrom, projectCapacityEvent } from "./capacity-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { CapacityConfig } from "../capacity-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * capacity-tracking contract's print events (ours, those sent straight from wallets,
 * and those grid-services and charge-discharge cause) with their outbox rows, and the
 * relay publishes what committed.
 */
export class CapacitySyncService extends chainSyncServiceFor<
  "capacity-tracking",
  Prisma.TransactionClient,
  CapacityConfig
>({
  service: "capacity",
  contract: "capacity-tracking",
  logContext: "CapacitySync",
  stream: eventStreams.CAPACITY,
  schema: (config) => config.CAPACITY_SCHEMA,
  handle: projectCapacityEvent,
  forget: forgetCapacitiesFrom,
}) {}
