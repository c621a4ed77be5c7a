import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { FlowChainWriter } from "../../flow/flow-chain-writer.js";

export interface SetGridDemandCommand {
  caller: Caller;
  demandLevelPercent: number;
  /** The admin principal to sign as, when the caller has several. */
  actAs?: string;
}

/** An admin sets the grid's demand level; the contract checks the admin and the range. */
@Injectable()
export class SetGridDemandUseCase {
  constructor(@Inject(FlowChainWriter) private readonly writer: FlowChainWriter) {}

  execute(command: SetGridDemandCommand): Promise<ChainWriteResult> {
    return withSpan("flow set-grid-demand", { "voltstack.demand_level": command.demandLevelPercent }, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      const result = await this.writer.write(command.caller, admin, (contract) =>
        contract.setGridDemand(BigInt(command.demandLevelPercent)),
      );
      return { txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
