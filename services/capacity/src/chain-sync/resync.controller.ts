import { createResyncController } from "@voltstack/chain-sync";
import { CapacitySyncService } from "./capacity-sync.service.js";

export const ResyncController = createResyncController(CapacitySyncService);
