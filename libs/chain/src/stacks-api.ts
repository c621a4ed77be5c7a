import type { ClarityValue } from "@stacks/transactions";
import { BroadcastRejectedError, ChainError } from "./chain-error.js";
import { decodeHex } from "./clarity-decoding.js";
import { DEFAULT_REQUEST_BUDGET, RequestBudget } from "./request-budget.js";

export type FetchFn = typeof fetch;

export interface AccountNonces {
  /** The nonce the next transaction should use, mempool included. */
  possibleNextNonce: bigint;
  lastExecutedTxNonce: bigint | null;
  lastMempoolTxNonce: bigint | null;
  /** Nonces below the highest mempool nonce that no transaction holds: a chain is stuck behind them. */
  detectedMissingNonces: bigint[];
}

/** A contract's source as the node holds it. */
export interface ContractSource {
  source: string;
  publishHeight: number;
}

/**
 * A transaction event, as the contract-log route returns it and as this library hands
 * events on: the v3 transaction events are normalised to this shape.
 */
export interface ApiEvent {
  event_index: number;
  event_type: string;
  tx_id?: string;
  contract_log?: { contract_id: string; topic: string; value: { hex: string; repr?: string } };
}

/**
 * A transaction as this library reads it, normalised from the API's v3 transaction
 * (mined or mempool) so that callers see one shape: `tx_status` is the API's `status`,
 * `block_*` and `tx_index` come from `block`, `replaced_by_tx_id` names the
 * replace-by-fee successor of a dropped transaction. A v3 transaction is always on the
 * canonical chain (the API answers 404, or the mempool record, once its block is orphaned).
 */
export interface ApiTransaction {
  tx_id: string;
  tx_status: string;
  tx_type?: string;
  nonce?: number;
  fee_rate?: string;
  sender_address?: string;
  tx_result?: { hex: string; repr?: string };
  /** Why the Clarity VM refused it, when it did. */
  vm_error?: string | null;
  block_height?: number;
  block_hash?: string;
  /** Unix seconds. */
  block_time?: number;
  tx_index?: number;
  canonical?: boolean;
  event_count?: number;
  events?: ApiEvent[];
  contract_call?: { contract_id: string; function_name: string };
  replaced_by_tx_id?: string | null;
}

/** The newest block the API has indexed. */
export interface ChainTip {
  height: number;
  hash: string;
}

/** One page of a contract's print events, newest first (the API's order). */
export interface ContractLogPage {
  total: number;
  /** The position `height:microblock:txIndex:eventIndex` of the first result; null when empty. */
  cursor: string | null;
  /** The position of the first result of the next older page; null on the last page. */
  olderCursor: string | null;
  results: ApiEvent[];
}

/** The API's last answer, and the failure of the last request that got none since. */
export interface ApiContact {
  lastAnswerAt: number | undefined;
  failure: { at: number; message: string } | undefined;
}

export interface NodeInfo {
  networkId: number;
  tipHeight: number;
}

export interface StacksApiOptions {
  url: string;
  fetch?: FetchFn;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
  /** Sent as `x-api-key`; never logged or put in an error. */
  apiKey?: string;
  /** Shared by every caller of this client; default DEFAULT_REQUEST_BUDGET. */
  budget?: RequestBudget;
  /** Retries of a request answered 429, 5xx or not at all (broadcasts: 429 only). */
  maxRetries?: number;
  /** First backoff after a 5xx or a lost connection, ms; doubles per retry, with jitter. */
  retryBaseMs?: number;
}

/** Page limits the API enforces (src/api/pagination.ts): over-limit queries answer 400, never clamp. */
export const API_PAGE_LIMITS = { events: 100, transactions: 50, blocks: 30 } as const;

const MINED_CACHE_MS = 10_000;
const MINED_CACHE_ENTRIES = 1_000;

/** Answers that mean "try again later" rather than "no". */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * The Stacks node RPC (/v2) and Stacks Blockchain API (/extended) routes this library
 * uses, within the API's page limits and on its current (non-deprecated) routes; every
 * request draws from one RequestBudget and is retried on 429 (after `retry-after`),
 * 5xx and lost connections with backoff. A bare stacks-node serves no /extended
 * routes: a Stacks Blockchain API is required.
 */
export class StacksApi {
  readonly url: string;
  readonly budget: RequestBudget;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;
  readonly #apiKey: string | undefined;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  #contact: ApiContact = { lastAnswerAt: undefined, failure: undefined };
  /**
   * Mined transactions recently fetched: the confirmation tracker and the follower ask for
   * the same transaction moments apart. Short-lived, so that a fork is seen soon.
   */
  readonly #mined = new Map<string, { tx: ApiTransaction; at: number }>();

  constructor(options: StacksApiOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#apiKey = options.apiKey || undefined;
    this.budget = options.budget ?? new RequestBudget(DEFAULT_REQUEST_BUDGET);
    this.#maxRetries = options.maxRetries ?? 5;
    this.#retryBaseMs = options.retryBaseMs ?? 500;
  }

  /**
   * What the last requests showed: when the API last answered, and the failure of the
   * last request that got no usable answer since. Readiness reads it instead of asking.
   */
  get contact(): ApiContact {
    return this.#contact;
  }

  /** The node's network id and tip (node RPC). */
  async getNodeInfo(): Promise<NodeInfo> {
    const info = (await this.#json("GET", "/v2/info")) as { network_id: number; stacks_tip_height: number };
    return { networkId: info.network_id, tipHeight: info.stacks_tip_height };
  }

  /** The newest block the API has indexed: reads from the API agree with it, where the node may be ahead. */
  async getChainTip(): Promise<ChainTip> {
    const status = (await this.#json("GET", "/extended")) as {
      chain_tip?: { block_height: number; block_hash: string };
    };
    if (!status.chain_tip) return { height: 0, hash: "" };
    return { height: status.chain_tip.block_height, hash: status.chain_tip.block_hash };
  }

  async getTipHeight(): Promise<number> {
    return (await this.getChainTip()).height;
  }

  /**
   * When the block at `height` was made (its block_time, whole seconds), or null while the API
   * does not know the block: what ties a span of blocks (a program's period) to wall-clock time.
   */
  async getBlockTime(height: number): Promise<Date | null> {
    const path = `/extended/v2/blocks/${height}`;
    const response = await this.#request("GET", path);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#httpError("GET", path, response);
    const block = (await response.json()) as { block_time: number };
    return new Date(block.block_time * 1000);
  }

  /**
   * Nonces from the API's v3 nonces route (mempool included, gaps detected). Only an API
   * without that route (404) is answered through the node's `/v2/accounts`, which knows
   * no mempool; a 429, 410 or 5xx is an error, never a reason to lose the mempool view.
   */
  async getNonces(address: string): Promise<AccountNonces> {
    const response = await this.#request("GET", `/extended/v3/principals/${address}/nonces`);
    if (response.ok) {
      const body = (await response.json()) as {
        next_nonce: number;
        last_confirmed_nonce: number | null;
        mempool: { last_nonce: number | null; missing_nonces: number[] };
      };
      return {
        possibleNextNonce: BigInt(body.next_nonce),
        lastExecutedTxNonce: body.last_confirmed_nonce === null ? null : BigInt(body.last_confirmed_nonce),
        lastMempoolTxNonce: body.mempool.last_nonce === null ? null : BigInt(body.mempool.last_nonce),
        detectedMissingNonces: body.mempool.missing_nonces.map(BigInt),
      };
    }
    if (response.status !== 404)
      throw await this.#httpError("GET", `/extended/v3/principals/${address}/nonces`, response);
    await response.body?.cancel();
    const account = await this.getAccount(address);
    return {
      possibleNextNonce: account.nonce,
      lastExecutedTxNonce: account.nonce > 0n ? account.nonce - 1n : null,
      lastMempoolTxNonce: null,
      detectedMissingNonces: [],
    };
  }

  /** The confirmed account state: `nonce` is the next nonce the chain will execute. */
  async getAccount(address: string): Promise<{ nonce: bigint; balanceUstx: bigint }> {
    const body = (await this.#json("GET", `/v2/accounts/${address}?proof=0`)) as { nonce: number; balance: string };
    return { nonce: BigInt(body.nonce), balanceUstx: BigInt(body.balance) };
  }

  /** The source the node holds under `address.name`, or null when no such contract exists. */
  async getContractSource(address: string, name: string): Promise<ContractSource | null> {
    const path = `/v2/contracts/source/${address}/${name}?proof=0`;
    const response = await this.#request("GET", path);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#httpError("GET", path, response);
    const body = (await response.json()) as { source: string; publish_height: number };
    return { source: body.source, publishHeight: body.publish_height };
  }

  /** Broadcasts a serialized transaction; resolves with its txid or throws BroadcastRejectedError. */
  async broadcast(txHex: string): Promise<string> {
    // The sender decides how to retry a broadcast (it knows the transaction's nonce is held).
    const response = await this.#request("POST", "/v2/transactions", { tx: txHex }, { retry: false });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ChainError(
        "BROADCAST_FAILED",
        `The node answered the broadcast with HTTP ${response.status} and a body that is not JSON.`,
        {
          status: response.status,
          body: text.slice(0, 200),
        },
      );
    }
    if (typeof body === "string") return body.replace(/^0x/, "");
    const rejection = body as { txid?: string; reason?: string; reason_data?: unknown; error?: string };
    throw new BroadcastRejectedError(
      rejection.reason ?? rejection.error ?? `HTTP ${response.status}`,
      rejection.reason_data,
      rejection.txid,
      response.status,
    );
  }

  /** The node's middle fee estimate for a payload, or undefined when it cannot estimate. */
  async estimateFee(payloadHex: string, estimatedLength: number): Promise<bigint | undefined> {
    const response = await this.#request("POST", "/v2/fees/transaction", {
      transaction_payload: payloadHex,
      estimated_len: estimatedLength,
    });
    if (response.ok) {
      const body = (await response.json()) as { estimations?: { fee: number }[] };
      const middle = body.estimations?.[1] ?? body.estimations?.[0];
      if (middle) return BigInt(Math.ceil(middle.fee));
    } else {
      // The node answers 400 when it has no estimate for this payload yet; the transfer rate stands in.
      await response.body?.cancel();
    }
    const fallback = await this.#request("GET", "/v2/fees/transfer");
    if (!fallback.ok) {
      await fallback.body?.cancel();
      return undefined;
    }
    const rate = Number(await fallback.text());
    return Number.isFinite(rate) ? BigInt(Math.ceil(rate * estimatedLength)) : undefined;
  }

  async callReadOnly(
    contractAddress: string,
    contractName: string,
    functionName: string,
    argumentsHex: string[],
    sender: string,
  ): Promise<ClarityValue> {
    const body = (await this.#json(
      "POST",
      `/v2/contracts/call-read/${contractAddress}/${contractName}/${functionName}`,
      {
        sender,
        arguments: argumentsHex,
      },
    )) as { okay: boolean; result?: string; cause?: string };
    if (!body.okay || body.result === undefined) {
      throw new ChainError(
        "READ_ONLY_CALL_FAILED",
        `Read-only call ${contractAddress}.${contractName}::${functionName} failed: ${body.cause ?? "no result"}.`,
        {
          contract: `${contractAddress}.${contractName}`,
          functionName,
          cause: body.cause,
        },
      );
    }
    return decodeHex(body.result);
  }

  /**
   * A transaction by id (mined, or still pending in the mempool), with its result and,
   * unless `eventLimit` is 0, all its events; null while the API does not know it (the
   * API also forgets a transaction dropped from the mempool). A mined one may come from a
   * cache of a few seconds unless `fresh` is asked for.
   */
  async getTransaction(
    txid: string,
    eventLimit: number = API_PAGE_LIMITS.events,
    options: { fresh?: boolean } = {},
  ): Promise<ApiTransaction | null> {
    const id = txid.startsWith("0x") ? txid.toLowerCase() : `0x${txid.toLowerCase()}`;
    const cached = options.fresh ? undefined : this.#mined.get(id);
    if (cached && Date.now() - cached.at < MINED_CACHE_MS && (eventLimit === 0 || cached.tx.events !== undefined)) {
      return { ...cached.tx, events: eventLimit === 0 ? [] : cached.tx.events };
    }
    const path = `/extended/v3/transactions/${id}?include=result`;
    const response = await this.#request("GET", path);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw await this.#httpError("GET", path, response);
    const tx = normaliseTransaction((await response.json()) as V3Transaction);
    if (eventLimit > 0) {
      tx.events = (tx.event_count ?? 0) > 0 ? await this.#events(id, Math.min(eventLimit, API_PAGE_LIMITS.events)) : [];
    }
    if (tx.block_height !== undefined) this.#remember(id, tx);
    return { ...tx, events: tx.events ?? [] };
  }

  /** One page of a contract's print events, newest first, from `cursor` (a position) down. */
  async getContractLogs(
    contractId: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<ContractLogPage> {
    const limit = Math.min(options.limit ?? API_PAGE_LIMITS.events, API_PAGE_LIMITS.events);
    const query = new URLSearchParams({ limit: String(limit) });
    if (options.cursor) query.set("cursor", options.cursor);
    const body = (await this.#json("GET", `/extended/v2/smart-contracts/${contractId}/logs?${query}`)) as {
      total: number;
      cursor: string | null;
      prev_cursor: string | null;
      results: ApiEvent[];
    };
    return { total: body.total, cursor: body.cursor, olderCursor: body.prev_cursor, results: body.results };
  }

  /** Forgets what was cached of mined transactions (after a fork). */
  forgetMinedTransactions(): void {
    this.#mined.clear();
  }

  #remember(id: string, tx: ApiTransaction): void {
    const now = Date.now();
    if (this.#mined.size >= MINED_CACHE_ENTRIES) {
      for (const [key, entry] of this.#mined) if (now - entry.at >= MINED_CACHE_MS) this.#mined.delete(key);
      if (this.#mined.size >= MINED_CACHE_ENTRIES) this.#mined.delete(this.#mined.keys().next().value as string);
    }
    const known = this.#mined.get(id);
    this.#mined.set(id, { tx: { ...tx, events: tx.events ?? known?.tx.events }, at: now });
  }

  async #events(id: string, limit: number): Promise<ApiEvent[]> {
    const events: ApiEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=${limit}${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = (await this.#json("GET", `/extended/v3/transactions/${id}/events?${query}`)) as {
        cursor: { next: string | null };
        results: V3Event[];
      };
      for (const event of page.results) events.push(normaliseEvent(event, id));
      cursor = page.results.length > 0 ? page.cursor.next : null;
    } while (cursor !== null);
    return events.sort((a, b) => a.event_index - b.event_index);
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.#request(method, path, body);
    if (!response.ok) throw await this.#httpError(method, path, response);
    return response.json();
  }

  /**
   * One request within the budget. A 429 pauses the whole process for `retry-after`;
   * a 5xx or a lost connection is retried with exponential backoff and jitter, except
   * for broadcasts, whose retry the sender decides. The last answer is returned as it is.
   */
  async #request(method: string, path: string, body?: unknown, options: { retry?: boolean } = {}): Promise<Response> {
    const retry = options.retry ?? true;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#apiKey) headers["x-api-key"] = this.#apiKey;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.budget.run(() =>
          this.#fetch(`${this.url}${path}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.#timeoutMs),
          }),
        );
      } catch (cause) {
        if (retry && attempt < this.#maxRetries) {
          await sleep(this.#backoff(attempt));
          continue;
        }
        this.#contact = {
          ...this.#contact,
          failure: { at: Date.now(), message: `no answer to ${method} ${path.split("?")[0]}` },
        };
        throw new ChainError(
          "NODE_UNREACHABLE",
          `The Stacks API at ${this.url} did not answer ${method} ${path.split("?")[0]}.`,
          { url: this.url, path: path.split("?")[0] },
          { cause },
        );
      }
      if (!RETRYABLE_STATUS.has(response.status)) {
        this.#contact = { lastAnswerAt: Date.now(), failure: undefined };
        return response;
      }
      if (!retry || attempt >= this.#maxRetries) {
        this.#contact = {
          ...this.#contact,
          failure: { at: Date.now(), message: `HTTP ${response.status} to ${method} ${path.split("?")[0]}` },
        };
        return response;
      }
      if (response.status === 429) {
        this.budget.pause(retryAfterMs(response.headers.get("retry-after")) ?? this.#backoff(attempt));
      } else {
        await sleep(this.#backoff(attempt));
      }
      await response.body?.cancel();
    }
  }

  #backoff(attempt: number): number {
    const base = this.#retryBaseMs * 2 ** attempt;
    return Math.min(30_000, base / 2 + Math.random() * base);
  }

  async #httpError(method: string, path: string, response: Response): Promise<ChainError> {
    const text = await response.text().catch(() => "");
    const route = path.split("?")[0];
    if (response.status === 410) {
      return new ChainError(
        "API_ROUTE_GONE",
        `The Stacks API at ${this.url} no longer serves ${method} ${route} (410 Gone): this version of voltstack needs a newer API route.`,
        { status: 410, route, body: text.slice(0, 300) },
      );
    }
    if (response.status === 429) {
      return new ChainError(
        "API_RATE_LIMITED",
        `The Stacks API at ${this.url} kept answering 429 Too Many Requests: raise STACKS_API_REQUESTS_PER_MINUTE only with a key that allows it, or lower the pods' polling.`,
        { status: 429, route, retryAfter: response.headers.get("retry-after") },
      );
    }
    return new ChainError(
      "NODE_HTTP_ERROR",
      `The Stacks API answered ${method} ${route} with HTTP ${response.status}.`,
      {
        status: response.status,
        route,
        body: text.slice(0, 300),
      },
    );
  }
}

interface V3Event {
  event_index: number;
  type: string;
  contract_log?: { contract_id: string; topic: string; value: { hex: string; repr?: string } };
}

interface V3Transaction {
  tx_id: string;
  status: string;
  type?: string;
  sender: { address: string; nonce: number };
  fee_rate: string;
  block?: { height: number; hash: string; time: number; tx_index: number };
  result?: { hex: string; repr?: string };
  vm_error?: string | null;
  event_count?: number;
  contract_call?: { contract_id: string; function_name: string };
  replaced_by_tx_id?: string | null;
}

function normaliseTransaction(tx: V3Transaction): ApiTransaction {
  const mined = tx.block !== undefined;
  return {
    tx_id: tx.tx_id,
    tx_status: tx.status,
    tx_type: tx.type,
    nonce: tx.sender.nonce,
    fee_rate: tx.fee_rate,
    sender_address: tx.sender.address,
    tx_result: tx.result,
    vm_error: tx.vm_error ?? null,
    block_height: tx.block?.height,
    block_hash: tx.block?.hash,
    block_time: tx.block?.time,
    tx_index: tx.block?.tx_index,
    canonical: mined ? true : undefined,
    event_count: tx.event_count ?? 0,
    contract_call: tx.contract_call,
    replaced_by_tx_id: tx.replaced_by_tx_id ?? null,
  };
}

function normaliseEvent(event: V3Event, txid: string): ApiEvent {
  return {
    event_index: event.event_index,
    event_type: event.type === "contract_log" ? "smart_contract_log" : event.type,
    tx_id: txid,
    ...(event.contract_log ? { contract_log: event.contract_log } : {}),
  };
}

/** `retry-after` in seconds or as an HTTP date, in ms from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
