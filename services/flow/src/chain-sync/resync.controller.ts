import { createResyncController } from "@voltstack/chain-sync";
import { FlowSyncService } from "./flow-sync.service.js";

export const ResyncController = createResyncController(FlowSyncService);
