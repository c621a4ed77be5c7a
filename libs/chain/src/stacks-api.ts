import type { ClarityValue } from "@stacks/transactions";
import { BroadcastRejectedError, ChainError } from "./chain-error.js";
import { decodeHex } from "./clarity-decoding.js";

export type FetchFn = typeof fetch;

export interface AccountNonces {
  /** The nonce the next transaction should use, mempool included. */
  possibleNextNonce: bigint;
  lastExecutedTxNonce: bigint | null;
  lastMempoolTxNonce: bigint | null;
  /** Nonces below the highest mempool nonce that no transaction holds: a chain is stuck behind them. */
  detectedMissingNonces: bigint[];
}

export interface ApiEvent {
  event_index: number;
  event_type: string;
  tx_id?: string;
  contract_log?: { contract_id: string; topic: string; value: { hex: string; repr?: string } };
}

export interface ApiTransaction {
  tx_id: string;
  tx_status: string;
  tx_type?: string;
  nonce?: number;
  fee_rate?: string;
  sender_address?: string;
  tx_result?: { hex: string; repr?: string };
  block_height?: number;
  tx_index?: number;
  canonical?: boolean;
  event_count?: number;
  events?: ApiEvent[];
  contract_call?: { contract_id: string; function_name: string };
}

export interface ApiBlock {
  height: number;
  hash: string;
  canonical?: boolean;
  txs: string[];
}

export interface StacksApiOptions {
  url: string;
  fetch?: FetchFn;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
}

/** The subset of the Stacks node and API endpoints this library uses, over plain HTTP. */
export class StacksApi {
  readonly url: string;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;

  constructor(options: StacksApiOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
  }

  async getTipHeight(): Promise<number> {
    const info = (await this.#json("GET", "/v2/info")) as { stacks_tip_height: number };
    return info.stacks_tip_height;
  }

  /** Nonces from the API's nonces endpoint; a bare node without it answers through `/v2/accounts` (no gap detection then). */
  async getNonces(address: string): Promise<AccountNonces> {
    const response = await this.#request("GET", `/extended/v1/address/${address}/nonces`);
    if (response.ok) {
      const body = (await response.json()) as {
        possible_next_nonce: number;
        last_executed_tx_nonce: number | null;
        last_mempool_tx_nonce: number | null;
        detected_missing_nonces?: number[];
      };
      return {
        possibleNextNonce: BigInt(body.possible_next_nonce),
        lastExecutedTxNonce: body.last_executed_tx_nonce === null ? null : BigInt(body.last_executed_tx_nonce),
        lastMempoolTxNonce: body.last_mempool_tx_nonce === null ? null : BigInt(body.last_mempool_tx_nonce),
        detectedMissingNonces: (body.detected_missing_nonces ?? []).map(BigInt),
      };
    }
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

  /** Broadcasts a serialized transaction; resolves with its txid or throws BroadcastRejectedError. */
  async broadcast(txHex: string): Promise<string> {
    const response = await this.#request("POST", "/v2/transactions", { tx: txHex });
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
    }
    const fallback = await this.#request("GET", "/v2/fees/transfer");
    if (!fallback.ok) return undefined;
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

  /** A transaction by id with its events (up to `eventLimit`), or null while the API does not know it. */
  async getTransaction(txid: string, eventLimit = 200): Promise<ApiTransaction | null> {
    const id = txid.startsWith("0x") ? txid : `0x${txid}`;
    const response = await this.#request("GET", `/extended/v1/tx/${id}?event_limit=${eventLimit}`);
    if (response.status === 404) return null;
    if (!response.ok) throw await this.#httpError("GET", `/extended/v1/tx/${id}`, response);
    const tx = (await response.json()) as ApiTransaction;
    const eventCount = tx.event_count ?? tx.events?.length ?? 0;
    if (tx.events && tx.events.length < eventCount)
      tx.events = await this.#allEvents(id, tx.events, eventCount, eventLimit);
    return tx;
  }

  async getBlockByHeight(height: number): Promise<ApiBlock | null> {
    const response = await this.#request("GET", `/extended/v1/block/by_height/${height}`);
    if (response.status === 404) return null;
    if (!response.ok) throw await this.#httpError("GET", `/extended/v1/block/by_height/${height}`, response);
    return (await response.json()) as ApiBlock;
  }

  async #allEvents(id: string, first: ApiEvent[], total: number, pageSize: number): Promise<ApiEvent[]> {
    const events = [...first];
    while (events.length < total) {
      const page = (await this.#json(
        "GET",
        `/extended/v1/tx/${id}?event_limit=${pageSize}&event_offset=${events.length}`,
      )) as ApiTransaction;
      if (!page.events?.length) break;
      events.push(...page.events);
    }
    return events;
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.#request(method, path, body);
    if (!response.ok) throw await this.#httpError(method, path, response);
    return response.json();
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await this.#fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new ChainError(
        "NODE_UNREACHABLE",
        `The Stacks API at ${this.url} did not answer ${method} ${path.split("?")[0]}.`,
        { url: this.url, path },
        { cause },
      );
    }
  }

  async #httpError(method: string, path: string, response: Response): Promise<ChainError> {
    const text = await response.text().catch(() => "");
    return new ChainError(
      "NODE_HTTP_ERROR",
      `The Stacks API answered ${method} ${path.split("?")[0]} with HTTP ${response.status}.`,
      {
        status: response.status,
        body: text.slice(0, 300),
      },
    );
  }
}
