import { createSyncStatusController } from "@voltstack/chain-sync";
import { FacilitySyncService } from "./facility-sync.service.js";

export const SyncStatusController = createSyncStatusController(FacilitySyncService);
