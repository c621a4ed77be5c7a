import { Inject, Injectable } from "@nestjs/common";
import type { SetSharesResult } from "@voltstack/api";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import { contractRefusal, signerForFacility, STACKS_CHAIN } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { RevenueChainWriter } from "../../chain/revenue-chain-writer.js";

export interface SetSharesCommand {
  caller: Caller;
  facilityId: number;
  shares: { stakeholder: string; shareBps: number }[];
}

/**
 * The owner of a facility sets a new split of its revenue; the chain numbers it as a new
 * version. The request schema holds the split's own rules (1..10,000 bps each, 10,000 in
 * all, no one twice); who signs and who may be paid are checked here, before a fee.
 */
@Injectable()
export class SetSharesUseCase {
  constructor(
    @Inject(RevenueChainWriter) private readonly writer: RevenueChainWriter,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  execute(command: SetSharesCommand): Promise<SetSharesResult> {
    const { facilityId } = command;
    return withSpan("revenue set-shares", { [SpanAttributes.facilityId]: facilityId }, async () => {
      // Facilities live in the registry, not in this read model: ask the chain who owns it.
      const owner = await new FacilityRegistryClient(this.chain).getFacilityOwner(BigInt(facilityId));
      if (!owner) throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      // Only the owner sets shares (the contract's ERR_NOT_OWNER): operators do not count here.
      const signer = signerForFacility(this.writer, command.caller, { id: facilityId, owner, operators: [] });
      const pool = this.writer.reader().contract.id;
      if (command.shares.some((share) => share.stakeholder === pool)) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_INVALID_STAKEHOLDER",
          "The revenue-sharing contract holds the pools; it cannot be a stakeholder of one.",
          { facilityId, stakeholder: pool },
        );
      }
      const result = await this.writer.write(command.caller, signer, (client) =>
        client.setStakeholderShares(
          BigInt(facilityId),
          command.shares.map((s) => ({ stakeholder: s.stakeholder, shareBps: BigInt(s.shareBps) })),
        ),
      );
      return { facilityId, sharesVersion: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
