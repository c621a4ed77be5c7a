import { Inject, Injectable } from "@nestjs/common";
import type { SetOracleResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";

export interface SetOracleCommand {
  caller: Caller;
  oracle: string;
  enabled: boolean;
  actAs?: string;
}

/** An admin enables or disables a principal that may report frequency readings besides admins. */
@Injectable()
export class SetOracleUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: SetOracleCommand): Promise<SetOracleResult> {
    return withSpan("grid set-oracle", {}, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      const result = await this.writer.write(command.caller, admin, (grid) =>
        grid.setOracle(command.oracle, command.enabled),
      );
      return { oracle: command.oracle, enabled: command.enabled, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
