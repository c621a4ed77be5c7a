import { deserializeTransaction } from "@stacks/transactions";
import type { FakeStacksNode } from "./fake-stacks-node.js";

interface Dropped {
  hex: string;
  nonce: bigint;
  feeUstx: bigint;
  replacedBy: string;
}

/**
 * What a real node does that the plain fake leaves out, layered over its fetch:
 * - replace-by-fee as stackslib's mempool does it: a transaction at a pending nonce of the
 *   same signer that pays strictly more evicts the pending one, which the API then shows as
 *   `dropped_replace_by_fee` (one paying the same or less is refused, by the fake itself);
 * - answers of a node that cannot take a broadcast for now: HTTP 5xx.
 */
export class FeeMarket {
  /** Transactions evicted by a higher fee, by txid. */
  readonly dropped = new Map<string, Dropped>();
  /** Answer the next broadcasts with these HTTP statuses (and a plain-text body), one each, storing nothing. */
  readonly failNext: number[] = [];

  constructor(readonly node: FakeStacksNode) {}

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? "GET";
    if (method === "POST" && url.pathname === "/v2/transactions") {
      const status = this.failNext.shift();
      if (status !== undefined) {
        return new Response("upstream unavailable", { status, headers: { "content-type": "text/plain" } });
      }
      this.#replaceByFee(JSON.parse(String(init?.body)).tx as string);
    }
    const match = url.pathname.match(/^\/extended\/v3\/transactions\/0x([0-9a-f]+)$/);
    const dropped =
      match && !this.node.mempool.has(match[1] as string) ? this.dropped.get(match[1] as string) : undefined;
    if (match && dropped) {
      return Response.json({
        tx_id: `0x${match[1]}`,
        status: "dropped_replace_by_fee",
        type: "contract_call",
        sender: { address: "", nonce: Number(dropped.nonce) },
        fee_rate: dropped.feeUstx.toString(),
        replaced_by_tx_id: `0x${dropped.replacedBy}`,
      });
    }
    return this.node.fetch(input, init);
  };

  /** The fee a transaction in the fake's mempool pays, micro-STX. */
  feeOf(txid: string): bigint {
    const pending = this.node.mempool.get(txid);
    if (!pending) throw new Error(`${txid} is not in the mempool`);
    return deserializeTransaction(pending.hex).auth.spendingCondition.fee;
  }

  /**
   * A miner that still had `txid` (evicted here by its replacement) gets to include it:
   * it takes its nonce's place in the mempool again, its replacement leaves.
   */
  async restore(txid: string): Promise<void> {
    const dropped = this.dropped.get(txid);
    if (!dropped) throw new Error(`${txid} was not replaced`);
    this.dropped.delete(txid);
    this.node.mempool.delete(dropped.replacedBy);
    await this.node.fetch("http://fake-node.invalid/v2/transactions", {
      method: "POST",
      body: JSON.stringify({ tx: dropped.hex }),
    });
  }

  #replaceByFee(hex: string): void {
    const incoming = deserializeTransaction(hex);
    const condition = incoming.auth.spendingCondition;
    const txid = incoming.txid();
    for (const pending of this.node.mempool.values()) {
      if (pending.txid === txid || pending.signerHash !== condition.signer || pending.nonce !== BigInt(condition.nonce))
        continue;
      const feeUstx = this.feeOf(pending.txid);
      if (condition.fee <= feeUstx) return;
      this.node.mempool.delete(pending.txid);
      this.dropped.set(pending.txid, { hex: pending.hex, nonce: pending.nonce, feeUstx, replacedBy: txid });
    }
  }
}
