import { createResyncController } from "@voltstack/chain-sync";
import { FacilitySyncService } from "./facility-sync.service.js";

export const ResyncController = createResyncController(FacilitySyncService);
