import { Cl, Pc } from "@stacks/transactions";
import { postConditions } from "../post-conditions.js";
import type { StakeholderShare } from "../print-events.js";
import type { StacksChain } from "../stacks-chain.js";
import { type CallResult, ContractClient, type ContractClientOptions } from "./contract-client.js";

export interface SharesVersion {
  shares: StakeholderShare[];
  setBy: string;
  setAt: bigint;
}

export interface Deposit {
  facilityId: bigint;
  amountUstx: bigint;
  source: string;
  depositor: string;
  depositedAt: bigint;
}

export interface Distribution {
  facilityId: bigint;
  amountUstx: bigint;
  sharesVersion: bigint;
  firstPaymentId: bigint;
  paymentCount: bigint;
  distributedBy: string;
  distributedAt: bigint;
}

export interface Payment {
  distributionId: bigint;
  facilityId: bigint;
  stakeholder: string;
  shareBps: bigint;
  amountUstx: bigint;
  paidAt: bigint;
}

/** One line of a batch distribution: a stated amount for one facility's stakeholders. */
export interface DistributionLine {
  facilityId: bigint;
  amountUstx: bigint;
}

function linesCv(lines: readonly DistributionLine[]) {
  return Cl.list(
    lines.map((line) => Cl.tuple({ "facility-id": Cl.uint(line.facilityId), amount: Cl.uint(line.amountUstx) })),
  );
}

function totalOf(lines: readonly DistributionLine[]): bigint {
  return lines.reduce((sum, line) => sum + line.amountUstx, 0n);
}

export class RevenueSharingClient extends ContractClient {
  constructor(chain: StacksChain, options: ContractClientOptions = {}) {
    super(chain, "revenue-sharing", options);
  }

  getSharesVersion(facilityId: bigint): Promise<bigint> {
    return this.readUint("get-shares-version", [Cl.uint(facilityId)]);
  }

  getSharesAtVersion(facilityId: bigint, version: bigint): Promise<SharesVersion | null> {
    return this.readOptional("get-shares-at-version", [Cl.uint(facilityId), Cl.uint(version)]);
  }

  getShares(facilityId: bigint): Promise<SharesVersion | null> {
    return this.readOptional("get-shares", [Cl.uint(facilityId)]);
  }

  getPoolBalance(facilityId: bigint): Promise<bigint> {
    return this.readUint("get-pool-balance", [Cl.uint(facilityId)]);
  }

  getDeposit(depositId: bigint): Promise<Deposit | null> {
    return this.readOptional("get-deposit", [Cl.uint(depositId)]);
  }

  getLastDepositId(): Promise<bigint> {
    return this.readUint("get-last-deposit-id", []);
  }

  getDistribution(distributionId: bigint): Promise<Distribution | null> {
    return this.readOptional("get-distribution", [Cl.uint(distributionId)]);
  }

  getLastDistributionId(): Promise<bigint> {
    return this.readUint("get-last-distribution-id", []);
  }

  getPayment(paymentId: bigint): Promise<Payment | null> {
    return this.readOptional("get-payment", [Cl.uint(paymentId)]);
  }

  getLastPaymentId(): Promise<bigint> {
    return this.readUint("get-last-payment-id", []);
  }

  getTotalDistributed(facilityId: bigint): Promise<bigint> {
    return this.readUint("get-total-distributed", [Cl.uint(facilityId)]);
  }

  getStakeholderEarnings(facilityId: bigint, stakeholder: string): Promise<bigint> {
    return this.readUint("get-stakeholder-earnings", [Cl.uint(facilityId), Cl.principal(stakeholder)]);
  }

  /** Replaces the facility's split (basis points summing to 10,000); resolves with the new version. */
  setStakeholderShares(facilityId: bigint, shares: StakeholderShare[]): Promise<CallResult<bigint>> {
    const list = Cl.list(
      shares.map((s) => Cl.tuple({ stakeholder: Cl.principal(s.stakeholder), "share-bps": Cl.uint(s.shareBps) })),
    );
    return this.call("set-stakeholder-shares", [Cl.uint(facilityId), list], [], this.okUint("shares version"));
  }

  /** Pays `amountUstx` from the signer into the facility's pool; resolves with the deposit id. */
  depositRevenue(facilityId: bigint, amountUstx: bigint, source: string): Promise<CallResult<bigint>> {
    return this.call(
      "deposit-revenue",
      [Cl.uint(facilityId), Cl.uint(amountUstx), Cl.stringAscii(source)],
      postConditions.depositRevenue(amountUstx),
      this.okUint("deposit id"),
    );
  }

  /**
   * Pays out the whole pool; the contract may send at most the pool read just before.
   * A deposit landing in between makes the call abort on its post-condition: retry it.
   */
  async distributeRevenue(facilityId: bigint): Promise<CallResult<bigint>> {
    const poolUstx = await this.getPoolBalance(facilityId);
    return this.call(
      "distribute-revenue",
      [Cl.uint(facilityId)],
      postConditions.distributeRevenue(this.contract, poolUstx),
      this.okUint("distribution id"),
    );
  }

  /**
   * Pays each line's stated amount out of its facility's pool to its stakeholders, in one
   * transaction. A deposit landing first cannot make it abort: the contract sends exactly
   * the sum of the lines (the Deny-mode post-condition says so). Resolves with the last
   * distribution id; each line's is in its revenue-distributed print.
   */
  distributePools(lines: readonly DistributionLine[]): Promise<CallResult<bigint>> {
    return this.call(
      "distribute-pools",
      [linesCv(lines)],
      [Pc.principal(this.contract.id).willSendEq(totalOf(lines)).ustx()],
      this.okUint("last distribution id"),
    );
  }

  /**
   * Pays each line's stated amount from the signer to the facility's stakeholders;
   * `source` names where the money comes from. The signer sends exactly the sum.
   */
  distributePayments(source: string, lines: readonly DistributionLine[]): Promise<CallResult<bigint>> {
    return this.call(
      "distribute-payments",
      [Cl.stringAscii(source), linesCv(lines)],
      [Pc.origin().willSendEq(totalOf(lines)).ustx()],
      this.okUint("last distribution id"),
    );
  }
}
