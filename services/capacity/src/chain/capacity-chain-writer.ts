import { Injectable } from "@nestjs/common";
import { CapacityClient } from "@voltstack/chain";
import { chainWriterFor } from "@voltstack/chain-sync";
import { CapacitySyncService } from "../chain-sync/capacity-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * Signs a capacity-tracking call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block. Who signs for a
 * facility is signerForFacility's rule, applied by the use cases.
 */
@Injectable()
export class CapacityChainWriter extends chainWriterFor(
  CapacityClient,
  CapacitySyncService,
  STATUS_BY_CONTRACT_ERROR,
) {}
