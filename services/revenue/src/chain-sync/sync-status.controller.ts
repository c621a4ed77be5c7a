import { createSyncStatusController } from "@voltstack/chain-sync";
import { RevenueSyncService } from "./revenue-sync.service.js";

export const SyncStatusController = createSyncStatusController(RevenueSyncService);
