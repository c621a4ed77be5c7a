import { verifyInclusion } from "@voltstack/settlement";
import type { SettlementLineAnswer } from "./settlement-answers.js";

/**
 * Whether a facility's settlement line, as the API served it, is in the report whose root is
 * `recordedRoot` (read it from the chain: grid-services' get-settlement, or the settlement
 * event). The line's figures are re-hashed here, so a line the API altered does not verify.
 */
export function settlementLineVerifies(answer: SettlementLineAnswer, recordedRoot: string): boolean {
  const { line, header, proof } = answer;
  return verifyInclusion(
    {
      slot: BigInt(line.slot),
      facilityId: BigInt(line.facilityId),
      committedKw: BigInt(line.committedKw),
      performanceBps: BigInt(line.performanceBps),
      deliveredKwh: BigInt(line.deliveredKwh),
      amountUstx: BigInt(line.amountUstx),
    },
    {
      contract: header.contract,
      programId: BigInt(header.programId),
      cohort: BigInt(header.cohort),
      period: BigInt(header.period),
      product: header.product,
      capacityPriceUstx: BigInt(header.capacityPriceUstx),
      energyPriceUstx: BigInt(header.energyPriceUstx),
      lineCount: header.lineCount,
    },
    proof,
    recordedRoot.replace(/^0x/, ""),
  );
}
