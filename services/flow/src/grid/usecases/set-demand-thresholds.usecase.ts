import { Inject, Injectable } from "@nestjs/common";
import type { SetGridDemandResult } from "@voltstack/api";
import { contractRefusal } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";
import { FlowChainWriter } from "../../chain/flow-chain-writer.js";

export interface SetDemandThresholdsCommand {
  caller: Caller;
  lowThresholdPercent: number;
  highThresholdPercent: number;
  actAs?: string;
}

/**
 * An admin moves the low and high demand thresholds. The contract's rules (an admin
 * signs, low < high <= 100) are checked first, so a refusal costs no fee.
 */
@Injectable()
export class SetDemandThresholdsUseCase {
  constructor(
    @Inject(FlowChainWriter) private readonly writer: FlowChainWriter,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
  ) {}

  execute(command: SetDemandThresholdsCommand): Promise<SetGridDemandResult> {
    const { lowThresholdPercent: low, highThresholdPercent: high } = command;
    return withSpan("flow set-demand-thresholds", {}, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.registry.assertAdmin(admin);
      if (!(low < high && high <= 100)) {
        throw contractRefusal(
          STATUS_BY_CONTRACT_ERROR,
          "ERR_INVALID_THRESHOLDS",
          `The low threshold (${low} %) must be below the high one (${high} %), and the high one at most 100 %.`,
          { lowThresholdPercent: low, highThresholdPercent: high },
        );
      }
      const result = await this.writer.write(command.caller, admin, (contract) =>
        contract.setDemandThresholds(BigInt(low), BigInt(high)),
      );
      return { txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
