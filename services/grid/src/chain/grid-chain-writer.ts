import { Injectable } from "@nestjs/common";
import { GridServicesClient } from "@voltstack/chain";
import { chainWriterFor } from "@voltstack/chain-sync";
import { GridSyncService } from "../chain-sync/grid-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * Signs a grid-services call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block.
 */
@Injectable()
export class GridChainWriter extends chainWriterFor(GridServicesClient, GridSyncService, STATUS_BY_CONTRACT_ERROR) {}
