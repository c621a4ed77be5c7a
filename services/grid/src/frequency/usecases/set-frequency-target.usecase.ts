import { Inject, Injectable } from "@nestjs/common";
import type { SetFrequencyTargetResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";

export interface SetFrequencyTargetCommand {
  caller: Caller;
  targetMhz: number;
  deadbandMhz: number;
  actAs?: string;
}

/** An admin sets the target frequency and the deadband around it; the contract's checks are made first. */
@Injectable()
export class SetFrequencyTargetUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: SetFrequencyTargetCommand): Promise<SetFrequencyTargetResult> {
    return withSpan("grid set-frequency-target", {}, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      if (command.deadbandMhz >= command.targetMhz) {
        throw gridRefusal(
          "ERR_INVALID_DEADBAND",
          `The deadband (${command.deadbandMhz} mHz) must be below the target (${command.targetMhz} mHz).`,
          { targetMhz: command.targetMhz, deadbandMhz: command.deadbandMhz },
        );
      }
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
