import { randomUUID } from "node:crypto";
import { ApiRequestError, type ServiceName, VoltstackClient, WritePendingAnswer } from "@voltstack/client";

/** A write that did not succeed: where, and the service's machine code. */
export interface FailedWrite {
  step: string;
  status: number;
  code: string;
}

const PENDING_LIMIT_MS = 180_000;
const TRANSIENT_LIMIT_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends writes as the services' documentation tells a client to: each with its own
 * Idempotency-Key, and when the answer is 202 (confirmation not final yet) or 409
 * IDEMPOTENCY_KEY_IN_USE, the same call again with the same key until it has its outcome.
 * Records every refusal and failure, and how many answers were pending first.
 */
export class HttpWrites {
  readonly failures: FailedWrite[] = [];
  pendingAnswers = 0;

  constructor(private readonly urls: Record<ServiceName, string>) {}

  client(apiKey: string): VoltstackClient {
    return new VoltstackClient({ urls: this.urls, apiKey });
  }

  /**
   * `transient`: refusals that only say the system has not caught up yet (another service
   * has not heard of a facility, a period's last block is not mined): sent again with a
   * new key after a short wait, for up to two minutes, and not counted as failures.
   */
  async write<T>(
    step: string,
    apiKey: string,
    send: (client: VoltstackClient) => Promise<T>,
    transient: (error: ApiRequestError) => boolean = () => false,
  ): Promise<T> {
    let key = randomUUID();
    const deadline = Date.now() + PENDING_LIMIT_MS;
    const transientUntil = Date.now() + TRANSIENT_LIMIT_MS;
    for (;;) {
      try {
        return await send(new VoltstackClient({ urls: this.urls, apiKey, idempotencyKey: key }));
      } catch (error) {
        if (error instanceof ApiRequestError && transient(error) && Date.now() < transientUntil) {
          key = randomUUID();
          await sleep(500);
          continue;
        }
        const retry =
          error instanceof WritePendingAnswer ||
          (error instanceof ApiRequestError && error.status === 409 && error.code === "IDEMPOTENCY_KEY_IN_USE");
        if (retry && Date.now() < deadline) {
          if (error instanceof WritePendingAnswer) this.pendingAnswers += 1;
          await sleep(1_000);
          continue;
        }
        this.failures.push(
          error instanceof ApiRequestError
            ? { step, status: error.status, code: error.code }
            : { step, status: 0, code: error instanceof WritePendingAnswer ? "STILL_PENDING" : String(error) },
        );
        throw error;
      }
    }
  }
}

/** Runs `work` for each item with at most `limit` at once; resolves when all have settled. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** Every transaction a service's journal lists as failed (admin view), paged. */
export async function failedTransactions(
  client: VoltstackClient,
  service: ServiceName,
): Promise<{ functionName: string; errorCode: string | null }[]> {
  const found: { functionName: string; errorCode: string | null }[] = [];
  for (let offset = 0; offset < 10_000; offset += 50) {
    const { items } = await client.request<{ items: { functionName: string; errorCode: string | null }[] }>(
      service,
      "GET",
      "transactions",
      { query: { status: "failed", limit: 50, offset } },
    );
    found.push(...items.map(({ functionName, errorCode }) => ({ functionName, errorCode })));
    if (items.length < 50) break;
  }
  return found;
}
