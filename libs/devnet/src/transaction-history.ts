// Every transaction the devnet has seen, by txid, with how it ended (pending,
// mined, aborted or dropped), and each contract's print events in the order
// they were mined: what the HTTP API's transaction and contract-log routes read.
import type { SimnetEvent } from "./simnet-session.js";
import type { DecodedTransaction } from "./transaction-decoder.js";

export type TxStatus =
  | "pending"
  | "success"
  | "abort_by_response"
  | "abort_by_post_condition"
  | "dropped_problematic"
  | "dropped_replace_by_fee"
  | "dropped_replace_across_fork"
  | "dropped_stale_garbage_collect";

export interface TxRecord {
  decoded: DecodedTransaction;
  receiptTime: number;
  arrival: number;
  status: TxStatus;
  resultHex: string | null;
  resultRepr: string | null;
  events: SimnetEvent[];
  blockHeight: number | null;
  txIndex: number | null;
  vmError: string | null;
  /** Chain height when the mempool accepted it (the API's receipt_block_height). */
  receiptBlockHeight?: number;
  /** Set when a transaction with the same sender and nonce and a higher fee replaced this one. */
  replacedByTxid?: string;
}

export interface ContractLogRef {
  txid: string;
  eventIndex: number;
}

export class TransactionHistory {
  readonly records = new Map<string, TxRecord>();
  readonly contractLogs = new Map<string, ContractLogRef[]>();
  private arrivals = 0;

  /** Numbers transactions in the order the devnet first saw them; the mempool mines in this order. */
  nextArrival(): number {
    return (this.arrivals += 1);
  }

  /** The record of a transaction mined without passing through the mempool (replayed from the log). */
  newRecord(decoded: DecodedTransaction, time: number): TxRecord {
    const record: TxRecord = {
      decoded,
      receiptTime: time,
      arrival: this.nextArrival(),
      status: "pending",
      resultHex: null,
      resultRepr: null,
      events: [],
      blockHeight: null,
      txIndex: null,
      vmError: null,
    };
    this.records.set(decoded.txid, record);
    return record;
  }

  indexContractLogs(txid: string, events: SimnetEvent[]): void {
    events.forEach((event, eventIndex) => {
      if (event.event === "print_event") {
        const contractId = String(event.data.contract_identifier);
        const refs = this.contractLogs.get(contractId);
        if (refs) refs.push({ txid, eventIndex });
        else this.contractLogs.set(contractId, [{ txid, eventIndex }]);
      }
    });
  }

  /** An orphaned transaction is unmined again until the new branch (or a later block) mines it. */
  unmine(txid: string): void {
    const record = this.records.get(txid)!;
    record.status = "pending";
    record.resultHex = null;
    record.resultRepr = null;
    record.events = [];
    record.blockHeight = null;
    record.txIndex = null;
    record.vmError = null;
  }
}
