import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
  Optional,
} from "@nestjs/common";
import { from, lastValueFrom, type Observable } from "rxjs";
import type { Caller } from "../auth/roles.js";
import { ApiError } from "../errors/api-error.js";
import type { HttpRequest, HttpResponse } from "../http-exchange.js";
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyOf } from "./idempotency-key.js";
import {
  IDEMPOTENCY_HOLD_RENEW_MS,
  IDEMPOTENCY_KEY_RETENTION_MS,
  IDEMPOTENCY_STORE,
  type IdempotencyRecord,
  type IdempotencyScope,
  type IdempotencyStore,
  type StoredAnswer,
} from "./idempotency-store.js";
import { runIdempotentRequest } from "./idempotent-request.js";
import { pendingWriteAnswer, WritePendingError } from "./pending-write.js";
import { requestFingerprint } from "./request-fingerprint.js";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// A retry that finds the first request's transaction confirmed gives that request this long
// to store its own answer (it waits for the read model) before answering from the chain alone.
const FIRST_ANSWER_WAIT_MS = 10_000;
const FIRST_ANSWER_POLL_MS = 200;

type KeyedRequest = HttpRequest & { caller?: Caller; originalUrl?: string; url?: string };

/**
 * Idempotency-Key on every mutating request (draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key executes; a retry with the same key and the same request
 * gets the first one's answer (status and body), a retry with another request a 422, one
 * that comes while the first has signed nothing yet a 409. A write still confirming is
 * answered from its transaction: 202 while pending, then its outcome. Without a key, only
 * the last rule holds: a write whose transaction is pending answers 202, not an error.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  readonly #logger = new Logger("Idempotency");

  constructor(@Optional() @Inject(IDEMPOTENCY_STORE) private readonly store?: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== "http") return next.handle();
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    if (!MUTATING.has(request.method)) return next.handle();
    const response = context.switchToHttp().getResponse<HttpResponse>();
    return from(this.#answer(request, response, next));
  }

  async #answer(request: KeyedRequest, response: HttpResponse, next: CallHandler): Promise<unknown> {
    const key = idempotencyKeyOf(request);
    // Without a store (a service with no database) keys cannot be kept; all five services have one.
    if (key === undefined || !this.store)
      return answerPending(() => lastValueFrom(next.handle(), { defaultValue: undefined }));
    const store = this.store;
    const scope: IdempotencyScope = { callerId: callerScope(request.caller), key };
    const path = request.originalUrl ?? request.url ?? request.baseUrl;
    const fingerprint = requestFingerprint(request.method, path, request.body);
    const held = await unavailableUnlessDone(() =>
      store.claim({ ...scope, method: request.method, path, fingerprint, retentionMs: IDEMPOTENCY_KEY_RETENTION_MS }),
    );
    if (!held) return this.#execute(store, scope, response, next);
    if (held.fingerprint !== fingerprint) {
      throw ApiError.unprocessable(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for another request; send a new key for a new request.",
        { key, firstRequest: { method: held.method, path: held.path, at: held.createdAt.toISOString() } },
      );
    }
    return replay(await unavailableUnlessDone(() => this.#answerOf(store, held)));
  }

  async #execute(
    store: IdempotencyStore,
    scope: IdempotencyScope,
    response: HttpResponse,
    next: CallHandler,
  ): Promise<unknown> {
    let linked = 0;
    const keyed = {
      linkTransaction: async (transaction: Parameters<IdempotencyStore["link"]>[1]) => {
        await store.link(scope, transaction);
        linked += 1;
      },
    };
    // Until it links a transaction, the request renews its hold: a retry may take over a key
    // only once its holder stopped renewing (died), and then nothing of the holder's was signed.
    const renewing = setInterval(() => {
      if (linked === 0) void store.renew(scope).catch((failure: unknown) => this.#logFailure("renew", failure));
    }, IDEMPOTENCY_HOLD_RENEW_MS);
    renewing.unref();
    try {
      const result = await answerPending(() =>
        runIdempotentRequest(keyed, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
      );
      // A pending write stays `executing`: a retry answers from its transaction as it is then.
      if (!(result instanceof Response))
        await this.#keep(store, scope, { status: response.statusCode, body: result ?? null });
      return result;
    } catch (error) {
      if (linked === 0) {
        // Nothing was signed: the refusal (or fault) changed nothing, so the key is free for a corrected retry.
        await store.release(scope).catch((failure: unknown) => this.#logFailure("release", failure));
      } else if (error instanceof ApiError && error.status < 500) {
        // A transaction that failed on chain: its fee is spent, the answer is final.
        await this.#keep(store, scope, { status: error.status, body: error.toBody() });
      }
      throw error;
    } finally {
      clearInterval(renewing);
    }
  }

  /** The answer for a key another request holds. */
  async #answerOf(store: IdempotencyStore, record: IdempotencyRecord): Promise<StoredAnswer> {
    if (record.answer) return record.answer;
    const fromChain = await store.answerFromTransactions(record);
    if (!fromChain) {
      throw ApiError.conflict(
        "IDEMPOTENCY_KEY_IN_USE",
        "A request with this Idempotency-Key is still being executed; retry once it has answered.",
        { key: record.key, startedAt: record.createdAt.toISOString() },
      );
    }
    if (fromChain.status === 202) return fromChain;
    if (fromChain.status === 200) {
      // Confirmed: the first request is about to answer with its full body, unless it died or answered 202.
      const deadline = Date.now() + FIRST_ANSWER_WAIT_MS;
      while (Date.now() < deadline) {
        const now = await store.find(record);
        if (now?.answer) return now.answer;
        await new Promise((resolve) => setTimeout(resolve, FIRST_ANSWER_POLL_MS));
      }
    }
    // Final now: kept, so that later retries need not look again.
    await this.#keep(store, record, fromChain);
    return fromChain;
  }

  async #keep(store: IdempotencyStore, scope: IdempotencyScope, answer: StoredAnswer): Promise<void> {
    // The request's effect is done; failing to remember its answer must not turn it into an error.
    // A retry then answers from the linked transactions.
    await store.complete(scope, answer).catch((failure: unknown) => this.#logFailure("complete", failure));
  }

  #logFailure(step: string, failure: unknown): void {
    this.#logger.error(`${IDEMPOTENCY_KEY_HEADER} ${step} failed: ${(failure as Error).message}`);
  }
}

/**
 * The store's answer; its failure (PostgreSQL down) is a 503 the client may retry with the same
 * key: nothing was executed, so nothing is lost.
 */
async function unavailableUnlessDone<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      503,
      "IDEMPOTENCY_STORE_UNAVAILABLE",
      "The service cannot look up the Idempotency-Key now; retry the request with the same key.",
      { reason: (error as Error).message },
    );
  }
}

/** Runs the handler; a write left pending becomes its 202 answer. */
async function answerPending(handle: () => Promise<unknown>): Promise<unknown> {
  try {
    return await handle();
  } catch (error) {
    if (!(error instanceof WritePendingError)) throw error;
    const pending = pendingWriteAnswer(error.txid);
    return webResponse(pending, {});
  }
}

function replay(answer: StoredAnswer): Response {
  return webResponse(answer, { [IDEMPOTENT_REPLAYED_HEADER]: "true" });
}

function webResponse(answer: StoredAnswer, headers: Record<string, string>): Response {
  const all: Record<string, string> = { ...headers };
  if (answer.location) all.location = answer.location;
  if (answer.body === null || answer.body === undefined)
    return new Response(null, { status: answer.status, headers: all });
  all["content-type"] = "application/json; charset=utf-8";
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: all });
}

/** Keys are per caller: the same key from two callers names two requests. */
function callerScope(caller: Caller | undefined): string {
  return caller ? `${caller.via}:${caller.id}` : "anonymous";
}
