// The mempool: the node's admission rules (fees, funds, nonces, replace-by-fee,
// chaining, payload checks), eviction, and which pending transactions the next
// block can mine.
import { argumentMismatch } from "./abi-arguments.js";
import type { AccountLedger } from "./account-ledger.js";
import { nowSeconds } from "./chain-clock.js";
import type { ChainLog } from "./chain-log.js";
import { MempoolRejection } from "./mempool-rejection.js";
import type { SimnetHost } from "./simnet-host.js";
import { stxBalance } from "./simnet-reads.js";
import type { DecodedTransaction } from "./transaction-decoder.js";
import type { TransactionHistory, TxRecord } from "./transaction-history.js";

/** The node's limit on unconfirmed transactions chained from one sender. */
export const MAX_CHAINED_TRANSACTIONS = 25;
/** Keeps one block's execution (about 1.5 ms per transaction) well under a second. */
const MAX_TRANSACTIONS_PER_BLOCK = 400;

export class Mempool {
  private readonly pending = new Map<string, Map<bigint, TxRecord>>();

  constructor(
    private readonly history: TransactionHistory,
    private readonly ledger: AccountLedger,
    private readonly host: SimnetHost,
    private readonly log: ChainLog | undefined,
    private readonly minFeeUstx: bigint,
  ) {}

  /** Admits a transaction or throws a MempoolRejection. */
  admit(decoded: DecodedTransaction): void {
    const { txid, sender, nonce, feeUstx, payload } = decoded;
    const known = this.history.records.get(txid);
    if (known?.status === "pending") return;
    this.checkPayload(decoded);
    const requiredFee = this.requiredFee(decoded.byteLength);
    if (feeUstx < requiredFee) {
      throw new MempoolRejection(
        "FeeTooLow",
        { expected: Number(requiredFee), actual: Number(feeUstx) },
        `fee ${feeUstx} below ${requiredFee}`,
        txid,
      );
    }
    const spend = feeUstx + (payload.kind === "token_transfer" ? payload.amountUstx : 0n);
    const balance = stxBalance(this.host.simnet, sender);
    if (balance < spend) {
      const u128 = (value: bigint) => `0x${value.toString(16).padStart(32, "0")}`;
      throw new MempoolRejection(
        "NotEnoughFunds",
        { expected: u128(spend), actual: u128(balance) },
        `${sender} holds ${balance}, needs ${spend}`,
        txid,
      );
    }
    const expected = this.ledger.nextNonce(sender);
    if (nonce < expected) {
      throw new MempoolRejection(
        "BadNonce",
        { expected: Number(expected), actual: Number(nonce), principal: sender, is_origin: true },
        `nonce ${nonce} already used; next is ${expected}`,
        txid,
      );
    }
    const senderPending = this.pending.get(sender);
    const prior = senderPending?.get(nonce);
    // Replace-by-fee as stacks-core's MemPoolDB::try_add_tx does it: a transaction
    // with the same origin nonce replaces the pending one only when its total fee
    // is strictly higher; otherwise the newcomer is refused.
    if (prior && feeUstx <= prior.decoded.feeUstx) {
      throw new MempoolRejection(
        "ConflictingNonceInMempool",
        undefined,
        `another transaction with nonce ${nonce} is pending with fee ${prior.decoded.feeUstx} >= ${feeUstx}`,
        txid,
      );
    }
    const maxNonce = expected + BigInt(MAX_CHAINED_TRANSACTIONS - 1);
    if (nonce > maxNonce) {
      throw new MempoolRejection(
        "TooMuchChaining",
        {
          message: "Nonce would exceed chaining limit in mempool",
          expected: Number(maxNonce),
          actual: Number(nonce),
          principal: sender,
          is_origin: true,
        },
        `nonce ${nonce} is beyond ${maxNonce}`,
        txid,
      );
    }
    const record: TxRecord = {
      decoded,
      receiptTime: nowSeconds(),
      arrival: this.history.nextArrival(),
      status: "pending",
      resultHex: null,
      resultRepr: null,
      events: [],
      blockHeight: null,
      txIndex: null,
      vmError: null,
      receiptBlockHeight: this.host.simnet.blockHeight,
    };
    if (prior) {
      prior.status = "dropped_replace_by_fee";
      prior.replacedByTxid = txid;
    }
    this.history.records.set(txid, record);
    if (senderPending) senderPending.set(nonce, record);
    else this.pending.set(sender, new Map([[nonce, record]]));
    this.log?.appendMempool(decoded.hex);
  }

  /**
   * Evicts a pending transaction as a node's mempool garbage collection does
   * (status dropped_stale_garbage_collect). It can be broadcast again later.
   * Returns false when the transaction is not pending.
   */
  dropPending(txid: string): boolean {
    const record = this.history.records.get(txid);
    if (record?.status !== "pending") return false;
    const { sender, nonce } = record.decoded;
    const senderPending = this.pending.get(sender);
    if (senderPending?.get(nonce) !== record) return false;
    senderPending.delete(nonce);
    if (senderPending.size === 0) this.pending.delete(sender);
    record.status = "dropped_stale_garbage_collect";
    // The mempool log is replayed on start; without this the dropped transaction would come back.
    this.log?.rewriteMempool(this.pendingHexes());
    return true;
  }

  requiredFee(byteLength: number): bigint {
    const perByte = BigInt(byteLength);
    return perByte > this.minFeeUstx ? perByte : this.minFeeUstx;
  }

  private checkPayload(decoded: DecodedTransaction): void {
    const { payload, sender, txid } = decoded;
    if (payload.kind === "token_transfer") {
      if (payload.amountUstx <= 0n)
        throw new MempoolRejection("TransferAmountMustBePositive", undefined, "amount must be positive", txid);
      if (payload.recipient === sender) {
        throw new MempoolRejection(
          "TransferRecipientCannotEqualSender",
          { recipient: payload.recipient },
          "recipient is the sender",
          txid,
        );
      }
      return;
    }
    if (payload.kind === "smart_contract") {
      if (this.host.interfaces().has(payload.contractId)) {
        throw new MempoolRejection(
          "ContractAlreadyExists",
          { contract_identifier: payload.contractId },
          `${payload.contractId} exists`,
          txid,
        );
      }
      return;
    }
    const contract = this.host.interfaces().get(payload.contractId);
    if (!contract) throw new MempoolRejection("NoSuchContract", undefined, `no contract ${payload.contractId}`, txid);
    const fn = contract.functions.find((candidate) => candidate.name === payload.functionName);
    if (!fn || fn.access !== "public") {
      throw new MempoolRejection("NoSuchPublicFunction", undefined, `no public function ${payload.functionName}`, txid);
    }
    if (fn.args.length !== payload.args.length) {
      const message = `${payload.functionName} takes ${fn.args.length} arguments, got ${payload.args.length}`;
      throw new MempoolRejection("BadFunctionArgument", { message }, message, txid);
    }
    for (const [index, arg] of fn.args.entries()) {
      const mismatch = argumentMismatch(payload.args[index]!, arg.type, arg.name);
      if (mismatch) throw new MempoolRejection("BadFunctionArgument", { message: mismatch }, mismatch, txid);
    }
  }

  /**
   * The next block's transactions: each sender's run of consecutive nonces from
   * its next one, as far as its balance pays the fees, in order of arrival.
   */
  selectReady(): DecodedTransaction[] {
    const balances = this.host.simnet.getAssetsMap().get("STX") ?? new Map<string, bigint>();
    const chosen: { record: TxRecord; key: number }[] = [];
    for (const [sender, byNonce] of this.pending) {
      let nonce = this.ledger.nextNonce(sender);
      let spendable = balances.get(sender) ?? 0n;
      let key = 0;
      for (let record = byNonce.get(nonce); record; record = byNonce.get(nonce)) {
        if (record.decoded.feeUstx > spendable) break;
        spendable -= record.decoded.feeUstx;
        key = Math.max(key, record.arrival);
        chosen.push({ record, key });
        nonce += 1n;
      }
    }
    chosen.sort((a, b) => a.key - b.key || (a.record.decoded.nonce < b.record.decoded.nonce ? -1 : 1));
    return chosen.slice(0, MAX_TRANSACTIONS_PER_BLOCK).map(({ record }) => record.decoded);
  }

  /** Takes a mined or dropped transaction out of the pending ones. */
  remove(decoded: DecodedTransaction): void {
    const senderPending = this.pending.get(decoded.sender);
    senderPending?.delete(decoded.nonce);
    if (senderPending?.size === 0) this.pending.delete(decoded.sender);
  }

  /**
   * Puts an orphaned transaction back among the pending ones with its original
   * arrival, so it is mined before later arrivals. Refused (and dropped as
   * replaced across the fork, the API's status for it) when the new branch has
   * already used its nonce or another pending transaction holds it.
   */
  returnToMempool(record: TxRecord): boolean {
    const { sender, nonce } = record.decoded;
    const senderPending = this.pending.get(sender);
    if (nonce < this.ledger.nextNonce(sender) || senderPending?.has(nonce)) {
      record.status = "dropped_replace_across_fork";
      return false;
    }
    if (senderPending) senderPending.set(nonce, record);
    else this.pending.set(sender, new Map([[nonce, record]]));
    return true;
  }

  pendingHexes(): string[] {
    return [...this.pending.values()].flatMap((byNonce) => [...byNonce.values()].map((record) => record.decoded.hex));
  }

  pendingRecords(): TxRecord[] {
    return [...this.pending.values()].flatMap((byNonce) => [...byNonce.values()]).sort((a, b) => b.arrival - a.arrival);
  }
}
