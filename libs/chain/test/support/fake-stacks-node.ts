import {
  addressToString,
  type ClarityValue,
  Cl,
  createAddress,
  cvToHex,
  deserializeTransaction,
  PayloadType,
} from "@stacks/transactions";
import type { ApiEvent, ApiTransaction } from "../../src/index.js";

interface MempoolTx {
  txid: string;
  hex: string;
  signerHash: string;
  nonce: bigint;
  contractId: string;
  functionName: string;
}

export interface MinedOutcome {
  status?: string;
  result?: ClarityValue;
  events?: { contractId: string; value: ClarityValue }[];
}

/**
 * A stand-in Stacks API for unit tests: a mempool that enforces nonces and the
 * 25-deep chain as a node does, blocks mined on demand, and the API endpoints the
 * library reads. Contract calls "execute" through `outcomeFor`.
 */
export class FakeStacksNode {
  readonly confirmed = new Map<string, bigint>();
  readonly mempool = new Map<string, MempoolTx>();
  readonly txs = new Map<string, ApiTransaction>();
  readonly blocks: { height: number; hash: string; txs: string[] }[] = [];
  readonly broadcasts: string[] = [];
  /** Accept (answer with the txid) but never store the next N broadcasts: a transaction lost before the node. */
  loseNext = 0;
  /** Answer the next broadcasts with these rejection reasons, one each. */
  readonly rejectNext: string[] = [];
  feeEstimate: number | undefined = 5_000;
  feeRequests = 0;
  nodeUnreachable = false;
  outcomeFor: (tx: MempoolTx) => MinedOutcome = () => ({ status: "success", result: Cl.ok(Cl.bool(true)) });

  get tip(): number {
    return this.blocks.length;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.nodeUnreachable) throw new TypeError("fetch failed");
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const path = url.pathname;
    let match: RegExpMatchArray | null;
    if (method === "GET" && path === "/v2/info") return json({ stacks_tip_height: this.tip });
    if (method === "POST" && path === "/v2/transactions") return this.#broadcast(body.tx);
    if (method === "POST" && path === "/v2/fees/transaction") {
      this.feeRequests += 1;
      if (this.feeEstimate === undefined) return json({ error: "no estimate" }, 400);
      return json({
        estimations: [{ fee: this.feeEstimate / 2 }, { fee: this.feeEstimate }, { fee: this.feeEstimate * 2 }],
      });
    }
    if (method === "GET" && path === "/v2/fees/transfer") return json(1);
    if ((match = path.match(/^\/extended\/v1\/address\/([^/]+)\/nonces$/)))
      return json(this.#nonces(match[1] as string));
    if ((match = path.match(/^\/v2\/accounts\/([^/]+)$/))) {
      return json({ nonce: Number(this.confirmed.get(hashOf(match[1] as string)) ?? 0n), balance: "0x0" });
    }
    if ((match = path.match(/^\/extended\/v1\/tx\/0x([0-9a-f]+)$/))) {
      const tx =
        this.txs.get(match[1] as string) ??
        (this.mempool.has(match[1] as string) ? { tx_id: `0x${match[1]}`, tx_status: "pending" } : undefined);
      return tx ? json(tx) : json({ error: "not found" }, 404);
    }
    if ((match = path.match(/^\/extended\/v1\/block\/by_height\/(\d+)$/))) {
      const block = this.blocks[Number(match[1]) - 1];
      return block ? json(block) : json({ error: "not found" }, 404);
    }
    return json({ error: `no route ${method} ${path}` }, 404);
  };

  /** Mines every transaction whose nonce is next for its sender, in nonce order; returns the new height. */
  mine(): number {
    const height = this.tip + 1;
    const included: string[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      for (const tx of [...this.mempool.values()].sort((a, b) => Number(a.nonce - b.nonce))) {
        if (tx.nonce !== (this.confirmed.get(tx.signerHash) ?? 0n)) continue;
        this.mempool.delete(tx.txid);
        this.confirmed.set(tx.signerHash, tx.nonce + 1n);
        const outcome = { status: "success", result: Cl.ok(Cl.bool(true)), ...this.outcomeFor(tx) };
        const events: ApiEvent[] = (outcome.events ?? []).map((e, index) => ({
          event_index: index,
          event_type: "smart_contract_log",
          tx_id: `0x${tx.txid}`,
          contract_log: { contract_id: e.contractId, topic: "print", value: { hex: cvToHex(e.value) } },
        }));
        this.txs.set(tx.txid, {
          tx_id: `0x${tx.txid}`,
          tx_status: outcome.status,
          tx_result: { hex: cvToHex(outcome.result), repr: "" },
          block_height: height,
          tx_index: included.length,
          canonical: true,
          nonce: Number(tx.nonce),
          events: outcome.status === "success" ? events : [],
          event_count: outcome.status === "success" ? events.length : 0,
        });
        included.push(`0x${tx.txid}`);
        progress = true;
      }
    }
    this.blocks.push({ height, hash: `0x${height.toString(16).padStart(64, "0")}`, txs: included });
    return height;
  }

  /** Mines until no mempool transaction can be mined. */
  mineAll(): void {
    do this.mine();
    while ([...this.mempool.values()].some((tx) => tx.nonce === (this.confirmed.get(tx.signerHash) ?? 0n)));
  }

  #nonces(address: string) {
    const hash = hashOf(address);
    const confirmed = this.confirmed.get(hash) ?? 0n;
    const pending = [...this.mempool.values()].filter((tx) => tx.signerHash === hash).map((tx) => tx.nonce);
    const highest = pending.length ? pending.reduce((a, b) => (a > b ? a : b)) : undefined;
    const missing: number[] = [];
    if (highest !== undefined)
      for (let n = confirmed; n < highest; n += 1n) if (!pending.includes(n)) missing.push(Number(n));
    return {
      possible_next_nonce: Number(highest !== undefined && highest + 1n > confirmed ? highest + 1n : confirmed),
      last_executed_tx_nonce: confirmed > 0n ? Number(confirmed - 1n) : null,
      last_mempool_tx_nonce: highest === undefined ? null : Number(highest),
      detected_missing_nonces: missing,
    };
  }

  #broadcast(hex: string): Response {
    const tx = deserializeTransaction(hex);
    const txid = tx.txid();
    this.broadcasts.push(txid);
    const reason = this.rejectNext.shift();
    if (reason) return json({ txid, error: "transaction rejected", reason, reason_data: {} }, 400);
    if (this.loseNext > 0) {
      this.loseNext -= 1;
      return json(txid);
    }
    if (this.mempool.has(txid) || this.txs.has(txid)) return json(txid);
    const condition = tx.auth.spendingCondition;
    const signerHash = condition.signer;
    const nonce = BigInt(condition.nonce);
    const confirmed = this.confirmed.get(signerHash) ?? 0n;
    if (nonce < confirmed)
      return json(
        {
          txid,
          error: "transaction rejected",
          reason: "BadNonce",
          reason_data: { expected: Number(confirmed), actual: Number(nonce) },
        },
        400,
      );
    const sameNonce = [...this.mempool.values()].find((m) => m.signerHash === signerHash && m.nonce === nonce);
    if (sameNonce) return json({ txid, error: "transaction rejected", reason: "ConflictingNonceInMempool" }, 400);
    const chained = [...this.mempool.values()].filter((m) => m.signerHash === signerHash).length;
    if (chained >= 25) return json({ txid, error: "transaction rejected", reason: "TooMuchChaining" }, 400);
    const payload = tx.payload;
    const contractId =
      payload.payloadType === PayloadType.ContractCall
        ? `${addressToString(payload.contractAddress)}.${payload.contractName.content}`
        : "";
    const functionName = payload.payloadType === PayloadType.ContractCall ? payload.functionName.content : "transfer";
    this.mempool.set(txid, { txid, hex, signerHash, nonce, contractId, functionName });
    return json(txid);
  }
}

export function hashOf(address: string): string {
  return createAddress(address).hash160;
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}
