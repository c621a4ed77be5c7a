import { chainSyncServiceFor } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { forgetFlowFrom, projectFlowEvent } from "./flow-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { FlowConfig } from "../flow-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * charge-discharge contract's print events (ours and those sent straight from wallets
 * alike) with their outbox rows, and the relay publishes what committed (the schedules'
 * events included).
 */
export class FlowSyncService extends chainSyncServiceFor<"charge-discharge", Prisma.TransactionClient, FlowConfig>({
  service: "flow",
  contract: "charge-discharge",
  logContext: "FlowSync",
  stream: eventStreams.FLOW,
  schema: (config) => config.FLOW_SCHEMA,
  handle: projectFlowEvent,
  forget: forgetFlowFrom,
}) {}
