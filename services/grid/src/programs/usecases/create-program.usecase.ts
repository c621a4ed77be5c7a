import { Inject, Injectable } from "@nestjs/common";
import type { CreateProgramResult } from "@voltstack/api";
import type { ProgramProduct } from "@voltstack/chain";
import { withSpan } from "@voltstack/observability";
import type { Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";

// create-program accepts at most this many periods.
export const MAX_PERIODS = 100_000;

export interface CreateProgramCommand {
  caller: Caller;
  product: ProgramProduct;
  startHeight: number;
  periodBlocks: number;
  periodCount: number;
  capacityPriceUstx: bigint;
  energyPriceUstx: bigint;
  budgetUstx: bigint;
  settleWindow: number;
  actAs?: string;
}

/**
 * An admin creates a program; the contract escrows its budget from the signer, who becomes its
 * operator (refunds go back there). create-program's checks are made first, so a refusal costs
 * no fee and the budget's exact post-condition never hides the contract's answer.
 */
@Injectable()
export class CreateProgramUseCase {
  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: CreateProgramCommand): Promise<CreateProgramResult> {
    return withSpan("grid create-program", { "voltstack.program_product": command.product }, async () => {
      const admin = this.writer.actingPrincipal(command.caller, command.actAs);
      await this.facts.assertAdmin(admin);
      const height = await this.facts.tipHeight();
      // The transaction lands in block height + 1 at the earliest; the start must lie beyond it.
      if (command.startHeight <= height + 1) {
        throw gridRefusal(
          "ERR_INVALID_SCHEDULE",
          `startHeight must be above the next block, ${height + 1}; the chain is at ${height}.`,
          { startHeight: command.startHeight, height },
        );
      }
      if (command.periodCount > MAX_PERIODS) {
        throw gridRefusal("ERR_INVALID_SCHEDULE", `A program has at most ${MAX_PERIODS} periods.`, {
          periodCount: command.periodCount,
          maxPeriods: MAX_PERIODS,
        });
      }
      if (command.capacityPriceUstx === 0n && command.energyPriceUstx === 0n) {
        throw gridRefusal("ERR_INVALID_PRICE", "A program needs a capacity price or an energy price above 0.", {
          capacityPriceUstx: "0",
          energyPriceUstx: "0",
        });
      }
      const balanceUstx = await this.facts.balanceUstx(admin);
      if (balanceUstx < command.budgetUstx) {
        throw gridRefusal(
          "ERR_INSUFFICIENT_FUNDS",
          `${admin} holds ${balanceUstx} micro-STX, less than the budget of ${command.budgetUstx} to escrow.`,
          { principal: admin, budgetUstx: command.budgetUstx.toString(), balanceUstx: balanceUstx.toString() },
        );
      }
      const result = await this.writer.write(command.caller, admin, (grid) =>
        grid.createProgram({
          product: command.product,
          startHeight: BigInt(command.startHeight),
          periodBlocks: BigInt(command.periodBlocks),
          periodCount: BigInt(command.periodCount),
          capacityPriceUstx: command.capacityPriceUstx,
          energyPriceUstx: command.energyPriceUstx,
          budgetUstx: command.budgetUstx,
          settleWindow: BigInt(command.settleWindow),
        }),
      );
      return { programId: Number(result.value), txid: result.txid, blockHeight: result.blockHeight };
    });
  }
}
