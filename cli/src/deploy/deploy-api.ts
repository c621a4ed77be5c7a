// The few node (/v2) and Stacks Blockchain API (/extended) routes a deployment
// needs. Requests answered 429 or 5xx are retried after `retry-after` or a short
// backoff, so a hosted API's rate limit slows a deployment down instead of failing it.
import { DeployError } from "./deploy-error.js";

export interface DeployedSource {
  source: string;
  publishHeight: number;
}

export interface DeployerNonces {
  /** The nonce the next transaction must use. */
  next: bigint;
  /** Nonces of the deployer's transactions still in the mempool; undefined when the API cannot tell. */
  pending: bigint[] | undefined;
}

export type FinalStatus = "success" | "failed" | "dropped";

export interface TransactionState {
  /** The API's status: pending, success, abort_by_response, abort_by_post_condition, problematic_skipped, dropped_*. */
  status: string;
  blockHeight: number | undefined;
  vmError: string | undefined;
  resultRepr: string | undefined;
}

const RETRIES = 5;

export class DeployApi {
  readonly url: string;

  constructor(
    url: string,
    private readonly options: { fetch?: typeof fetch; apiKey?: string } = {},
  ) {
    this.url = url.replace(/\/+$/, "");
  }

  async networkId(): Promise<number> {
    const info = (await this.#json("GET", "/v2/info")) as { network_id: number };
    return info.network_id;
  }

  /** The source the node holds under `address.name`, or null when no such contract exists. */
  async contractSource(address: string, name: string): Promise<DeployedSource | null> {
    const response = await this.#request("GET", `/v2/contracts/source/${address}/${name}?proof=0`);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    const body = (await this.#ok("GET", `/v2/contracts/source/${address}/${name}`, response)) as {
      source: string;
      publish_height: number;
    };
    return { source: body.source, publishHeight: body.publish_height };
  }

  async balanceUstx(address: string): Promise<bigint> {
    const body = (await this.#json("GET", `/v2/accounts/${address}?proof=0`)) as { balance: string };
    return BigInt(body.balance);
  }

  /**
   * The API's v3 nonces (mempool included); an API without that route answers
   * through v1, and a bare node through /v2/accounts, which cannot see the mempool.
   */
  async nonces(address: string): Promise<DeployerNonces> {
    const v3 = await this.#request("GET", `/extended/v3/principals/${address}/nonces`);
    if (v3.ok) {
      const body = (await v3.json()) as { next_nonce: number; mempool: { pending_nonces: number[] } };
      return { next: BigInt(body.next_nonce), pending: body.mempool.pending_nonces.map(BigInt) };
    }
    await v3.body?.cancel();
    const v1 = await this.#request("GET", `/extended/v1/address/${address}/nonces`);
    if (v1.ok) {
      const body = (await v1.json()) as { possible_next_nonce: number; detected_mempool_nonces: number[] };
      return { next: BigInt(body.possible_next_nonce), pending: body.detected_mempool_nonces.map(BigInt) };
    }
    await v1.body?.cancel();
    const account = (await this.#json("GET", `/v2/accounts/${address}?proof=0`)) as { nonce: number };
    return { next: BigInt(account.nonce), pending: undefined };
  }

  /** The node's middle estimate for a payload, or undefined when it has none. */
  async estimateFee(payloadHex: string, estimatedLength: number): Promise<bigint | undefined> {
    const response = await this.#request("POST", "/v2/fees/transaction", {
      transaction_payload: payloadHex,
      estimated_len: estimatedLength,
    });
    if (!response.ok) {
      // 400 NoEstimateAvailable: the node has not seen enough such transactions.
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as { estimations?: { fee: number }[] };
    const estimate = body.estimations?.[1] ?? body.estimations?.[0];
    return estimate ? BigInt(Math.ceil(estimate.fee)) : undefined;
  }

  /** Broadcasts a serialized transaction; resolves with its txid (no 0x). */
  async broadcast(txHex: string): Promise<string> {
    const response = await this.#request("POST", "/v2/transactions", { tx: txHex });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    if (response.ok && typeof body === "string") return body.replace(/^0x/, "");
    const rejection = (typeof body === "object" && body !== null ? body : {}) as {
      reason?: string;
      reason_data?: unknown;
      error?: string;
    };
    const reason = rejection.reason ?? rejection.error ?? `HTTP ${response.status}`;
    throw new DeployError("DEPLOY_BROADCAST_REJECTED", `The node refused the deployment: ${reason}.`, {
      reason,
      reasonData: rejection.reason_data,
      status: response.status,
    });
  }

  /** A transaction from the API's v3 route (mined or in the mempool), or null while the API does not know it. */
  async transaction(txid: string): Promise<TransactionState | null> {
    const path = `/extended/v3/transactions/0x${txid}?include=result`;
    const response = await this.#request("GET", path);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    const body = (await this.#ok("GET", path, response)) as {
      status: string;
      block?: { height?: number };
      vm_error?: string | null;
      result?: { repr?: string };
    };
    return {
      status: body.status,
      blockHeight: body.block?.height,
      vmError: body.vm_error ?? undefined,
      resultRepr: body.result?.repr,
    };
  }

  async #json(method: string, path: string): Promise<unknown> {
    return this.#ok(method, path, await this.#request(method, path));
  }

  async #ok(method: string, path: string, response: Response): Promise<unknown> {
    if (response.ok) return response.json();
    const body = await response.text().catch(() => "");
    throw new DeployError("STACKS_API_ERROR", `${method} ${this.url}${path} answered HTTP ${response.status}.`, {
      status: response.status,
      body: body.slice(0, 300),
    });
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const fetchFn = this.options.fetch ?? fetch;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers["x-api-key"] = this.options.apiKey;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetchFn(`${this.url}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        if (attempt >= RETRIES) {
          throw new DeployError(
            "STACKS_API_UNREACHABLE",
            `${method} ${this.url}${path} failed: ${(error as Error).message}.`,
            {
              url: this.url,
            },
          );
        }
        await sleep(backoffMs(attempt));
        continue;
      }
      // A broadcast is retried only on 429: after a 5xx the node may have taken it.
      const retryable = response.status === 429 || (response.status >= 500 && path !== "/v2/transactions");
      if (!retryable || attempt >= RETRIES) return response;
      await response.body?.cancel();
      const retryAfterS = Number(response.headers.get("retry-after"));
      await sleep(Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : backoffMs(attempt));
    }
  }
}

const backoffMs = (attempt: number) => 500 * 2 ** attempt;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
