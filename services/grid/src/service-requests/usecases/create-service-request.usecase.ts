import { Inject, Injectable } from "@nestjs/common";
import type { ServiceRequestWrite } from "@voltstack/api";
import type { ServiceType } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";

export interface CreateServiceRequestCommand {
  caller: Caller;
  serviceType: ServiceType;
  powerKw: number;
  energyKwh: number;
  paymentUstx: bigint;
  expiresAt: number;
  actAs?: string;
}

/**
 * An admin posts a paid request; the contract moves the payment from the admin into its
 * escrow (the typed client allows exactly that amount to leave the signer). The contract's
 * checks the schema does not cover are made first: a refusal costs no fee, and the
 * payment's exact post-condition would otherwise hide the contract's answer behind
 * POST_CONDITION_ABORT.
 */
@Injectable()
export class CreateServiceRequestUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: CreateServiceRequestCommand): Promise<ServiceRequestWrite> {
    return withSpan("grid create-service-request", { "voltstack.service_type": command.serviceType }, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      const height = await this.facts.tipHeight();
      if (command.expiresAt <= height) {
        throw gridRefusal("ERR_INVALID_EXPIRY", `expiresAt must be above the current block height ${height}.`, {
          expiresAt: command.expiresAt,
          height,
        });
      }
      // The key that signs pays the escrow: with a pool of admin keys (SIGNER_POOLS), only
      // those holding the payment may sign; refused when none does.
      const keys = this.writer.signingKeys(admin);
      const balances = await Promise.all(keys.map((key) => this.facts.balanceUstx(key)));
      const funded = keys.filter((_, index) => balances[index]! >= command.paymentUstx);
      if (funded.length === 0) {
        const balanceUstx = balances.reduce((a, b) => (a > b ? a : b));
        throw gridRefusal(
          "ERR_INSUFFICIENT_FUNDS",
          keys.length === 1
            ? `${admin} holds ${balanceUstx} micro-STX, less than the payment of ${command.paymentUstx} to escrow.`
            : `No key that signs as ${admin} holds the payment of ${command.paymentUstx} micro-STX to escrow; the most is ${balanceUstx}.`,
          { principal: admin, paymentUstx: command.paymentUstx.toString(), balanceUstx: balanceUstx.toString() },
        );
      }
      const result = await this.writer.write(
        command.caller,
        admin,
        (grid) =>
          grid.createServiceRequest({
            serviceType: command.serviceType,
            powerKw: BigInt(command.powerKw),
            energyKwh: BigInt(command.energyKwh),
            paymentUstx: command.paymentUstx,
            expiresAt: BigInt(command.expiresAt),
          }),
        funded.length === keys.length ? {} : { signWith: funded },
      );
      return { requestId: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
