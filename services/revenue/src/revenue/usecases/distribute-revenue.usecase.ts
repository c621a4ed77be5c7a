import { Inject, Injectable } from "@nestjs/common";
import type { DistributeResult } from "@voltstack/api";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import { contractRefusal, signerForFacility, STACKS_CHAIN } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { RevenueChainWriter } from "../../chain/revenue-chain-writer.js";

export interface DistributeRevenueCommand {
  caller: Caller;
  facilityId: number;
  /** The principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * An owner, operator or admin pays a facility's whole pool out to its stakeholders now.
 * The contract's checks (who signs, shares set, something in the pool) are made first
 * from its read-only functions, so a refusal costs no fee; a fulfilment's own
 * distribution later finds its payout already paid and sends nothing.
 */
@Injectable()
export class DistributeRevenueUseCase {
  constructor(
    @Inject(RevenueChainWriter) private readonly writer: RevenueChainWriter,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  execute(command: DistributeRevenueCommand): Promise<DistributeResult> {
    const { facilityId, caller } = command;
    return withSpan("revenue distribute", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const registry = new FacilityRegistryClient(this.chain);
      const id = BigInt(facilityId);
      const owner = await registry.getFacilityOwner(id);
      if (!owner) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      const others = caller.principals.filter((principal) => principal !== owner);
      const allowed = await Promise.all(
        others.map(async (principal) => (await registry.isOperator(id, principal)) || registry.isAdmin(principal)),
      );
      // Admins may distribute any facility's pool too: for this call they sign as operators do.
      const operators = others.filter((_, i) => allowed[i]);
      const signer = signerForFacility(this.writer, caller, { id: facilityId, owner, operators }, command.actAs);
      const revenue = this.writer.reader();
      const sharesVersion = await revenue.getSharesVersion(id);
      if (sharesVersion === 0n) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_NO_SHARES",
          `Facility ${facilityId} has no shares yet: its owner sets them first (PUT /facilities/${facilityId}/shares).`,
          { facilityId, sharesVersion: 0 },
        );
      }
      const balanceUstx = await revenue.getPoolBalance(id);
      if (balanceUstx === 0n) {
        throw contractRefusal(STATUS_BY_CONTRACT_ERROR, "ERR_EMPTY_POOL", `Facility ${facilityId}'s pool is empty.`, {
          facilityId,
          balanceUstx: "0",
          sharesVersion: Number(sharesVersion),
        });
      }
      const result = await this.writer.write(caller, signer, (client) => client.distributeRevenue(id));
      return {
        facilityId,
        distributionId: Number(result.value),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
