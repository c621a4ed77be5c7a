import { Pc, type PostCondition } from "@stacks/transactions";
import type { ContractRef } from "./contracts-config.js";

/**
 * The exact STX post-conditions of each of our calls that moves STX. The signer's own
 * outflow is stated for the transaction's origin (so it holds whichever signer of a
 * pool sends it); a contract's outflow names the contract principal as the sender.
 */
export const postConditions = {
  /** create-service-request: the requester (the signer) escrows exactly the payment. */
  createServiceRequest(paymentUstx: bigint): PostCondition[] {
    return [Pc.origin().willSendEq(paymentUstx).ustx()];
  },
  /** fulfill-request: the escrow pays out (to the pool and back to the requester) at most the payment. */
  fulfillRequest(gridServices: ContractRef, paymentUstx: bigint): PostCondition[] {
    return [Pc.principal(gridServices.id).willSendLte(paymentUstx).ustx()];
  },
  /** cancel-request: the escrow refunds exactly the payment. */
  cancelRequest(gridServices: ContractRef, paymentUstx: bigint): PostCondition[] {
    return [Pc.principal(gridServices.id).willSendEq(paymentUstx).ustx()];
  },
  /** deposit-revenue: the depositor (the signer) sends exactly the amount. */
  depositRevenue(amountUstx: bigint): PostCondition[] {
    return [Pc.origin().willSendEq(amountUstx).ustx()];
  },
  /** distribute-revenue: the contract pays out at most the pool read before the call. */
  distributeRevenue(revenueSharing: ContractRef, poolUstx: bigint): PostCondition[] {
    return [Pc.principal(revenueSharing.id).willSendLte(poolUstx).ustx()];
  },
};
