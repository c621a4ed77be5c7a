import { Injectable } from "@nestjs/common";
import { CapacityClient } from "@voltstack/chain";
import { chainWriterFor } from "@voltstack/chain-sync";
import { assertMayActFor, type Caller, mayActFor } from "@voltstack/service-kit";
import { CapacitySyncService } from "../chain-sync/capacity-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * Signs a capacity-tracking call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block.
 */
@Injectable()
export class CapacityChainWriter extends chainWriterFor(CapacityClient, CapacitySyncService, STATUS_BY_CONTRACT_ERROR) {
  /**
   * Who signs a call for a facility: the owner when the caller may act for it; for an
   * operator, its own principal (the contract checks it is enabled for the facility).
   * An owner of another facility is refused here, before any transaction.
   */
  signerFor(caller: Caller, owner: string, requested?: string): string {
    if (requested !== undefined) return this.actingPrincipal(caller, requested);
    if (mayActFor(caller, owner)) return owner;
    if (!caller.roles.includes("operator")) assertMayActFor(caller, owner);
    return this.actingPrincipal(caller);
  }
}
