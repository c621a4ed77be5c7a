import { Injectable } from "@nestjs/common";
import { ChargeDischargeClient } from "@voltstack/chain";
import { chainWriterFor } from "@voltstack/chain-sync";
import { FlowSyncService } from "../chain-sync/flow-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * Signs a charge-discharge call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block.
 */
@Injectable()
export class FlowChainWriter extends chainWriterFor(ChargeDischargeClient, FlowSyncService, STATUS_BY_CONTRACT_ERROR) {}
