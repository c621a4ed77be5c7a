import { Inject, Injectable } from "@nestjs/common";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STACKS_CHAIN } from "../../infrastructure/tokens.js";
import { RevenueChainWriter } from "../revenue-chain-writer.js";

export interface DistributeRevenueCommand {
  caller: Caller;
  facilityId: number;
  /** The principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * An owner, operator or admin pays a facility's whole pool out to its stakeholders now.
 * The contract decides whether the signer may (ERR_NOT_AUTHORIZED) and whether there
 * is anything to pay (ERR_EMPTY_POOL, ERR_NO_SHARES); a fulfilment's own distribution
 * later finds its payout already paid and sends nothing.
 */
@Injectable()
export class DistributeRevenueUseCase {
  constructor(
    @Inject(RevenueChainWriter) private readonly writer: RevenueChainWriter,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  execute(
    command: DistributeRevenueCommand,
  ): Promise<ChainWriteResult & { facilityId: number; distributionId: number }> {
    const { facilityId } = command;
    return withSpan("revenue distribute", { [SpanAttributes.facilityId]: facilityId }, async () => {
      const registry = new FacilityRegistryClient(this.chain);
      const id = BigInt(facilityId);
      if (!(await registry.getFacilityOwner(id))) {
        throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      }
      const signer = this.writer.actingPrincipal(command.caller, command.actAs);
      const allowed = (await registry.isFacilityAuthorized(id, signer)) || (await registry.isAdmin(signer));
      if (!allowed) {
        throw ApiError.forbidden(
          "FACILITY_NOT_ALLOWED",
          `${signer} is neither the owner, an operator of facility ${facilityId} nor an admin.`,
          { facilityId, principal: signer },
        );
      }
      const result = await this.writer.write(command.caller, signer, (client) => client.distributeRevenue(id));
      return {
        facilityId,
        distributionId: Number(result.value),
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
