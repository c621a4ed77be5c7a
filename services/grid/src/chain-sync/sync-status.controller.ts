import { createSyncStatusController } from "@voltstack/chain-sync";
import { GridSyncService } from "./grid-sync.service.js";

export const SyncStatusController = createSyncStatusController(GridSyncService);
