import { Inject, Injectable } from "@nestjs/common";
import { FacilityRegistryClient, type StacksChain } from "@voltstack/chain";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import { ApiError, assertMayActFor, type Caller } from "@voltstack/service-kit";
import { STACKS_CHAIN } from "../../infrastructure/tokens.js";
import { RevenueChainWriter } from "../revenue-chain-writer.js";

export interface SetSharesCommand {
  caller: Caller;
  facilityId: number;
  shares: { stakeholder: string; shareBps: number }[];
}

/** The owner of a facility sets a new split of its revenue; the chain numbers it as a new version. */
@Injectable()
export class SetSharesUseCase {
  constructor(
    @Inject(RevenueChainWriter) private readonly writer: RevenueChainWriter,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  execute(command: SetSharesCommand): Promise<ChainWriteResult & { facilityId: number; sharesVersion: number }> {
    const { facilityId } = command;
    return withSpan("revenue set-shares", { [SpanAttributes.facilityId]: facilityId }, async () => {
      // Facilities live in the registry, not in this read model: ask the chain who owns it
      // before a transaction costs a fee, so refusals change nothing.
      const owner = await new FacilityRegistryClient(this.chain).getFacilityOwner(BigInt(facilityId));
      if (!owner) throw ApiError.notFound("FACILITY_NOT_FOUND", `There is no facility ${facilityId}.`, { facilityId });
      assertMayActFor(command.caller, owner);
      const result = await this.writer.write(command.caller, owner, (client) =>
        client.setStakeholderShares(
          BigInt(facilityId),
          command.shares.map((s) => ({ stakeholder: s.stakeholder, shareBps: BigInt(s.shareBps) })),
        ),
      );
      return { facilityId, sharesVersion: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
