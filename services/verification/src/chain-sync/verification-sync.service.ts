import { chainSyncServiceFor } from "@voltstack/chain-sync";
import { eventStreams } from "@voltstack/events";
import { forgetFacilitiesFrom, projectFacilityEvent } from "./verification-projection.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { VerificationConfig } from "../verification-config.js";

/**
 * The one way facts reach the read model and NATS: the follower applies the
 * facility-registry's print events (ours and those sent straight from wallets alike)
 * with their outbox rows, and the relay publishes what committed.
 */
export class VerificationSyncService extends chainSyncServiceFor<
  "facility-registry",
  Prisma.TransactionClient,
  VerificationConfig
>({
  service: "verification",
  contract: "facility-registry",
  logContext: "FacilitySync",
  stream: eventStreams.FACILITIES,
  schema: (config) => config.VERIFICATION_SCHEMA,
  handle: projectFacilityEvent,
  forget: forgetFacilitiesFrom,
}) {}
