import { Inject, Injectable } from "@nestjs/common";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import type { StacksChain } from "@voltstack/chain";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { GridChainWriter } from "../../chain-writes/grid-chain-writer.js";
import { STACKS_CHAIN } from "../../infrastructure/tokens.js";

export interface CreateServiceRequestCommand {
  caller: Caller;
  serviceType: string;
  powerKw: number;
  energyKwh: number;
  paymentUstx: bigint;
  expiresAt: number;
  actAs?: string;
}

/**
 * An admin posts a paid request; the contract moves the payment from the admin into its
 * escrow (the typed client allows exactly that amount to leave the signer).
 */
@Injectable()
export class CreateServiceRequestUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  execute(command: CreateServiceRequestCommand): Promise<ChainWriteResult & { requestId: number }> {
    return withSpan("grid create-service-request", { "voltstack.service_type": command.serviceType }, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      // The payment's exact post-condition also fails when the contract refuses (nothing
      // moves), which would hide ERR_INVALID_EXPIRY behind POST_CONDITION_ABORT: check first.
      const height = await this.chain.api.getTipHeight();
      if (command.expiresAt <= height) {
        throw ApiError.unprocessable(
          "EXPIRY_NOT_IN_FUTURE",
          `expiresAt must be above the current block height ${height}.`,
          { expiresAt: command.expiresAt, height },
        );
      }
      const result = await this.writer.write(command.caller, admin, (grid) =>
        grid.createServiceRequest({
          serviceType: command.serviceType,
          powerKw: BigInt(command.powerKw),
          energyKwh: BigInt(command.energyKwh),
          paymentUstx: command.paymentUstx,
          expiresAt: BigInt(command.expiresAt),
        }),
      );
      return { requestId: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
