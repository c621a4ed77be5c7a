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
  /** Every request, as "METHOD /path". */
  readonly requests: string[] = [];
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
    this.requests.push(`${method} ${path}`);
    if (method === "GET" && path === "/v2/info") return json({ stacks_tip_height: this.tip, network_id: 0x80000000 });
    if (method === "POST" && path === "/v2/transactions") return this.#broadcast(body.tx);
    if (method === "POST" && path === "/v2/fees/transaction") {
      this.feeRequests += 1;
      if (this.feeEstimate === undefined) return json({ error: "no estimate" }, 400);
      return json({
        estimations: [{ fee: this.feeEstimate / 2 }, { fee: this.feeEstimate }, { fee: this.feeEstimate * 2 }],
      });
    }
    if (method === "GET" && path === "/v2/fees/transfer") return json(1);
    if (method === "GET" && path === "/extended") {
      const block = this.blocks[this.tip - 1];
      return json({ status: "ready", chain_tip: { block_height: this.tip, block_hash: block?.hash ?? "" } });
    }
    if ((match = path.match(/^\/extended\/v3\/principals\/([^/]+)\/nonces$/)))
      return json(this.#nonces(match[1] as string));
    if ((match = path.match(/^\/v2\/accounts\/([^/]+)$/))) {
      return json({ nonce: Number(this.confirmed.get(hashOf(match[1] as string)) ?? 0n), balance: "0x0" });
    }
    if ((match = path.match(/^\/extended\/v3\/transactions\/0x([0-9a-f]+)$/))) {
      const txid = match[1] as string;
      const mined = this.txs.get(txid);
      if (mined) return json(v3Transaction(mined, this.blocks));
      const pending = this.mempool.get(txid);
      return pending
        ? json({ tx_id: `0x${txid}`, status: "pending", sender: { nonce: Number(pending.nonce) }, fee_rate: "0" })
        : json({ error: "Transaction not found" }, 404);
    }
    if ((match = path.match(/^\/extended\/v3\/transactions\/0x([0-9a-f]+)\/events$/))) {
      const events = this.txs.get(match[1] as string)?.events ?? [];
      return json({
        total: events.length,
        limit: 100,
        cursor: { next: null, previous: null, current: null },
        results: events.map((e) => ({
          event_index: e.event_index,
          type: "contract_log",
          contract_log: e.contract_log,
        })),
      });
    }
    if ((match = path.match(/^\/extended\/v2\/smart-contracts\/([^/]+)\/logs$/)))
      return json(this.#logs(match[1] as string, url.searchParams));
    if ((match = path.match(/^\/extended\/v2\/blocks\/(\d+)$/))) {
      const block = this.blocks[Number(match[1]) - 1];
      return block
        ? json({ height: block.height, hash: block.hash, canonical: true, block_time_iso: new Date(0).toISOString() })
        : json({ error: "Block not found" }, 404);
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
      next_nonce: Number(highest !== undefined && highest + 1n > confirmed ? highest + 1n : confirmed),
      last_confirmed_nonce: confirmed > 0n ? Number(confirmed - 1n) : null,
      mempool: {
        last_nonce: highest === undefined ? null : Number(highest),
        pending_nonces: pending.map(Number).sort((a, b) => a - b),
        missing_nonces: missing,
      },
    };
  }

  /** The contract-log route: newest first, positions `height:microblock:txIndex:eventIndex`. */
  #logs(contractId: string, query: URLSearchParams) {
    const limit = Number(query.get("limit") ?? 20);
    if (limit > 100) return { error: "Bad Request", message: "querystring/limit must be <= 100" };
    const all = [...this.txs.values()]
      .flatMap((tx) =>
        (tx.events ?? [])
          .filter((e) => e.contract_log?.contract_id === contractId)
          .map((e) => ({ event: e, position: [tx.block_height ?? 0, 2147483647, tx.tx_index ?? 0, e.event_index] })),
      )
      .sort((a, b) => compare(b.position, a.position));
    const cursor = query.get("cursor");
    const start = cursor ? all.findIndex((entry) => compare(entry.position, cursor.split(":").map(Number)) <= 0) : 0;
    const page = start < 0 ? [] : all.slice(start, start + limit);
    const older = start < 0 ? undefined : all[start + limit];
    return {
      limit,
      offset: 0,
      total: all.length,
      cursor: page[0] ? page[0].position.join(":") : null,
      prev_cursor: older ? older.position.join(":") : null,
      next_cursor: null,
      results: page.map(({ event }) => ({ ...event, event_type: "smart_contract_log" })),
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

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** A mined transaction as the API's v3 transaction route shows it. */
function v3Transaction(tx: ApiTransaction, blocks: { height: number; hash: string }[]) {
  return {
    tx_id: tx.tx_id,
    status: tx.tx_status,
    sender: { address: tx.sender_address ?? "", nonce: tx.nonce ?? 0 },
    fee_rate: tx.fee_rate ?? "0",
    block: {
      height: tx.block_height,
      hash: blocks[(tx.block_height ?? 1) - 1]?.hash,
      index_hash: blocks[(tx.block_height ?? 1) - 1]?.hash,
      time: 0,
      tx_index: tx.tx_index,
    },
    result: tx.tx_result,
    event_count: tx.event_count ?? 0,
  };
}

export function hashOf(address: string): string {
  return createAddress(address).hash160;
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}
