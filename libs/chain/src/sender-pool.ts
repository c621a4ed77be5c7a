import { ChainError } from "./chain-error.js";
import type { ContractCall, SubmitOptions, SubmittedTransaction } from "./contract-call.js";
import type { TransactionSender } from "./transaction-sender.js";

/** Something that signs and sends calls: one signer, or a pool of signers with the same role. */
export interface CallSender {
  /** The address read-only calls are made as. */
  readonly address: string;
  submit(call: ContractCall, options?: SubmitOptions): Promise<SubmittedTransaction>;
  /** The sender that owns an address of this pool. */
  senderFor(address: string): TransactionSender | undefined;
}

export function singleSender(sender: TransactionSender): CallSender {
  return {
    address: sender.address,
    submit: (call, options) => sender.submit(call, options),
    senderFor: (address) => (address === sender.address ? sender : undefined),
  };
}

/**
 * Spreads calls over several signers that hold the same role, so that one sender's
 * 25-deep chain of unconfirmed transactions does not cap throughput. Each call goes to
 * the signer with the fewest transactions in flight (ties in turn).
 */
export class SenderPool implements CallSender {
  #turn = 0;
  readonly #byAddress: Map<string, TransactionSender>;

  constructor(readonly senders: readonly TransactionSender[]) {
    if (senders.length === 0) throw new ChainError("EMPTY_SENDER_POOL", "A sender pool needs at least one signer.");
    this.#byAddress = new Map(senders.map((s) => [s.address, s]));
    if (this.#byAddress.size !== senders.length)
      throw new ChainError("DUPLICATE_SIGNER", "A sender pool lists the same signer twice.");
  }

  get address(): string {
    return (this.senders[0] as TransactionSender).address;
  }

  submit(call: ContractCall, options?: SubmitOptions): Promise<SubmittedTransaction> {
    return this.#pick().submit(call, options);
  }

  senderFor(address: string): TransactionSender | undefined {
    return this.#byAddress.get(address);
  }

  #pick(): TransactionSender {
    const count = this.senders.length;
    let best: TransactionSender | undefined;
    for (let i = 0; i < count; i += 1) {
      const candidate = this.senders[(this.#turn + i) % count] as TransactionSender;
      if (!best || candidate.load < best.load) best = candidate;
    }
    this.#turn = (this.#turn + 1) % count;
    return best as TransactionSender;
  }
}
