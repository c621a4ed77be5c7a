import { createSyncStatusController } from "@voltstack/chain-sync";
import { FlowSyncService } from "./flow-sync.service.js";

export const SyncStatusController = createSyncStatusController(FlowSyncService);
