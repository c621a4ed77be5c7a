import { createSyncStatusController } from "@voltstack/chain-sync";
import { CapacitySyncService } from "./capacity-sync.service.js";

export const SyncStatusController = createSyncStatusController(CapacitySyncService);
