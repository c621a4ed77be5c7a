import { Injectable } from "@nestjs/common";
import { FacilityRegistryClient } from "@voltstack/chain";
import { chainWriterFor } from "@voltstack/chain-sync";
import { VerificationSyncService } from "../chain-sync/verification-sync.service.js";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/**
 * Signs a facility-registry call with the key of a principal the caller may act for,
 * journals it, waits for the chain's verdict, then for the follower (which alone
 * writes the read model and the events) to have read that block.
 */
@Injectable()
export class VerificationChainWriter extends chainWriterFor(
  FacilityRegistryClient,
  VerificationSyncService,
  STATUS_BY_CONTRACT_ERROR,
) {
  /**
   * Whether `principal` is an admin now. Admins are not in the read model (the first one
   * is made at deployment, without a print), so the registry's read-only function is asked:
   * no transaction, no fee.
   */
  isAdmin(principal: string): Promise<boolean> {
    return new FacilityRegistryClient(this.chain).isAdmin(principal);
  }
}
