import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { FlowChainWriter } from "../../flow/flow-chain-writer.js";

export interface SetDemandThresholdsCommand {
  caller: Caller;
  lowThresholdPercent: number;
  highThresholdPercent: number;
  actAs?: string;
}

/** An admin moves the low and high demand thresholds; the contract requires low < high <= 100. */
@Injectable()
export class SetDemandThresholdsUseCase {
  constructor(@Inject(FlowChainWriter) private readonly writer: FlowChainWriter) {}

  execute(command: SetDemandThresholdsCommand): Promise<ChainWriteResult> {
    return withSpan("flow set-demand-thresholds", {}, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      const result = await this.writer.write(command.caller, admin, (contract) =>
        contract.setDemandThresholds(BigInt(command.lowThresholdPercent), BigInt(command.highThresholdPercent)),
      );
      return { txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
