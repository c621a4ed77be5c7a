import { Inject, Injectable } from "@nestjs/common";
import type { SetGridDemandResult } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";
import { FlowChainWriter } from "../../chain/flow-chain-writer.js";

export interface SetGridDemandCommand {
  caller: Caller;
  demandLevelPercent: number;
  /** The admin principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * An admin sets the grid's demand level. Whether the signer is an admin is checked
 * first (the request schema already bounds the level to 0..100, as the contract does).
 */
@Injectable()
export class SetGridDemandUseCase {
  constructor(
    @Inject(FlowChainWriter) private readonly writer: FlowChainWriter,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
  ) {}

  execute(command: SetGridDemandCommand): Promise<SetGridDemandResult> {
    return withSpan("flow set-grid-demand", { "voltstack.demand_level": command.demandLevelPercent }, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.registry.assertAdmin(admin);
      const result = await this.writer.write(command.caller, admin, (contract) =>
        contract.setGridDemand(BigInt(command.demandLevelPercent)),
      );
      return { txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
