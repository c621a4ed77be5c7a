import { createResyncController } from "@voltstack/chain-sync";
import { GridSyncService } from "./grid-sync.service.js";

export const ResyncController = createResyncController(GridSyncService);
