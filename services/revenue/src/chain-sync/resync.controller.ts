import { createResyncController } from "@voltstack/chain-sync";
import { RevenueSyncService } from "./revenue-sync.service.js";

export const ResyncController = createResyncController(RevenueSyncService);
