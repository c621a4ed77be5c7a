import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { SpanAttributes, withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { FacilityRegistryReader } from "../facility-registry-reader.js";
import { FlowChainWriter } from "../flow-chain-writer.js";

export interface RecordFlowCommand {
  caller: Caller;
  facilityId: number;
  action: "charge" | "discharge";
  energyKwh: number;
  /** The owner or operator principal to sign as, when the caller has several. */
  actAs?: string;
}

/**
 * The owner or an operator of a facility records energy moved into or out of it; the
 * contract moves the facility's stored energy in the same transaction.
 */
@Injectable()
export class RecordFlowUseCase {
  constructor(
    @Inject(FlowChainWriter) private readonly writer: FlowChainWriter,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
  ) {}

  execute(command: RecordFlowCommand): Promise<ChainWriteResult & { recordId: number; facilityId: number }> {
    const { facilityId } = command;
    return withSpan(`flow record-${command.action}`, { [SpanAttributes.facilityId]: facilityId }, async () => {
      const principal = this.writer.actingPrincipal(command.caller, command.actAs);
      // Unknown facilities and foreign principals are refused before a transaction costs a fee.
      await this.registry.assertMayRecordFor(facilityId, principal);
      const id = BigInt(facilityId);
      const energy = BigInt(command.energyKwh);
      const result = await this.writer.write(command.caller, principal, (contract) =>
        command.action === "charge" ? contract.recordCharge(id, energy) : contract.recordDischarge(id, energy),
      );
      return { recordId: Number(result.value), facilityId, txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
