import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { GridChainWriter } from "../../chain-writes/grid-chain-writer.js";

export interface SetFrequencyTargetCommand {
  caller: Caller;
  targetMhz: number;
  deadbandMhz: number;
  actAs?: string;
}

/** An admin sets the target frequency and the deadband around it (the contract checks deadband < target). */
@Injectable()
export class SetFrequencyTargetUseCase {
  constructor(@Inject(GridChainWriter) private readonly writer: GridChainWriter) {}

  execute(command: SetFrequencyTargetCommand): Promise<ChainWriteResult & { targetMhz: number; deadbandMhz: number }> {
    return withSpan("grid set-frequency-target", {}, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      const result = await this.writer.write(command.caller, admin, (grid) =>
        grid.setFrequencyTarget(BigInt(command.targetMhz), BigInt(command.deadbandMhz)),
      );
      return {
        targetMhz: command.targetMhz,
        deadbandMhz: command.deadbandMhz,
        txid: result.txid,
        blockHeight: result.blockHeight,
      };
    });
  }
}
