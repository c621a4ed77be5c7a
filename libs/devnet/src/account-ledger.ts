// Per-principal sums over the mined blocks: the next nonce each sender must
// use, the fees it paid and the STX it sent and received (the balance routes'
// totals). Rebuilt from scratch when a fork replays the retained blocks.
import type { SimnetEvent } from "./simnet-session.js";
import type { DecodedTransaction } from "./transaction-decoder.js";

export class AccountLedger {
  private readonly nextNonces = new Map<string, bigint>();
  private readonly feesPaid = new Map<string, bigint>();
  private readonly stxSent = new Map<string, bigint>();
  private readonly stxReceived = new Map<string, bigint>();

  nextNonce(principal: string): bigint {
    return this.nextNonces.get(principal) ?? 0n;
  }

  stxTotals(principal: string): { sent: bigint; received: bigint; fees: bigint } {
    return {
      sent: this.stxSent.get(principal) ?? 0n,
      received: this.stxReceived.get(principal) ?? 0n,
      fees: this.feesPaid.get(principal) ?? 0n,
    };
  }

  /** A mined transaction uses its sender's nonce and pays its fee, whether its payload ran or not. */
  recordMined(decoded: DecodedTransaction): void {
    this.nextNonces.set(decoded.sender, decoded.nonce + 1n);
    this.feesPaid.set(decoded.sender, (this.feesPaid.get(decoded.sender) ?? 0n) + decoded.feeUstx);
  }

  recordTransfers(events: SimnetEvent[]): void {
    for (const event of events) {
      if (event.event !== "stx_transfer_event") continue;
      const amount = BigInt(String(event.data.amount));
      const sender = String(event.data.sender);
      const recipient = String(event.data.recipient);
      this.stxSent.set(sender, (this.stxSent.get(sender) ?? 0n) + amount);
      this.stxReceived.set(recipient, (this.stxReceived.get(recipient) ?? 0n) + amount);
    }
  }

  clear(): void {
    this.nextNonces.clear();
    this.feesPaid.clear();
    this.stxSent.clear();
    this.stxReceived.clear();
  }
}
