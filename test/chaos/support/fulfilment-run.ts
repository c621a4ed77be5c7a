import { randomUUID } from "node:crypto";
import type { ServiceName } from "@voltstack/client";
import type { ChainRequest } from "./chain-reader.js";
import type { ChaosSystem } from "./chaos-system.js";

/** One grid-service request taken from creation to a fulfilment on chain. */
export interface Fulfilment {
  requestId: number;
  paymentUstx: bigint;
  payoutUstx: bigint;
}

/** How long one step may take across a fault, retries included. */
const STEP_DEADLINE_MS = 300_000;
/** How long to wait, after a failed attempt, for the service to be ready with nothing pending on chain. */
const SETTLE_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Fulfilments one after another (create → accept → fulfil; revenue distributes on its own)
 * until told to stop, as a client that rides through outages would send them: a step that
 * fails is retried with the same Idempotency-Key, but only after the service is ready again,
 * its journal holds nothing pending and the chain shows the step was not done already.
 */
export class FulfilmentRun {
  readonly fulfilments: Fulfilment[] = [];
  /** Requests a retried creation made a second time (each with a payment of this run). */
  readonly duplicateRequests: number[] = [];
  readonly retries: string[] = [];
  #stopping = false;
  #aborted = false;
  #nextPaymentUstx: bigint;
  readonly #progress: (() => void)[] = [];

  constructor(
    private readonly chaos: ChaosSystem,
    /** The chain's last request id before the run: every request above it is this run's. */
    private readonly firstRequestId: number,
    firstPaymentUstx: bigint,
  ) {
    this.#nextPaymentUstx = firstPaymentUstx;
  }

  /** Finishes the fulfilment under way, then starts no new one. */
  stop(): void {
    this.#stopping = true;
  }

  /** Gives up the fulfilment under way at its next attempt: the run ends with an error. */
  abort(): void {
    this.#stopping = true;
    this.#aborted = true;
  }

  /** Resolves once `count` fulfilments are on chain. */
  async completed(count: number): Promise<void> {
    while (this.fulfilments.length < count) await new Promise<void>((resolve) => this.#progress.push(resolve));
  }

  async run(): Promise<void> {
    while (!this.#stopping) {
      this.fulfilments.push(await this.#fulfilOne());
      for (const resolve of this.#progress.splice(0)) resolve();
    }
  }

  async #fulfilOne(): Promise<Fulfilment> {
    const { system, facilityId, chain } = this.chaos;
    const paymentUstx = this.#nextPaymentUstx;
    this.#nextPaymentUstx += 1n;
    const performanceBps = 10_000 - Number(paymentUstx % 7n) * 150;
    const tip = await this.#untilAnswered(() => chain.tipHeight());
    const admin = system.caller("admin").apiKey;
    const owner = system.caller("owner-1").apiKey;

    const requestId = await this.#step(
      "grid",
      admin,
      "POST",
      "service-requests",
      {
        serviceType: "frequency-regulation",
        powerKw: 100,
        energyKwh: 100,
        paymentUstx: paymentUstx.toString(),
        expiresAt: tip + 100_000,
      },
      async () => (await this.#requestsWithPayment(paymentUstx))[0]?.id,
      (body) => (typeof body.requestId === "number" ? body.requestId : undefined),
    );
    await this.#step(
      "grid",
      owner,
      "POST",
      `service-requests/${requestId}/accept`,
      { facilityId },
      async () => ["accepted", "fulfilled"].includes((await chain.request(requestId))?.status ?? "") || undefined,
      () => true,
    );
    await this.#step(
      "grid",
      admin,
      "POST",
      `service-requests/${requestId}/fulfil`,
      { performanceBps },
      async () => ((await chain.request(requestId))?.status === "fulfilled" ? true : undefined),
      () => true,
    );
    const onChain = (await this.#untilAnswered(() => chain.request(requestId)))!;
    const extra = (await this.#requestsWithPayment(paymentUstx)).slice(1).map((request) => request.id);
    this.duplicateRequests.push(...extra.filter((id) => !this.duplicateRequests.includes(id)));
    return { requestId, paymentUstx, payoutUstx: onChain.payout };
  }

  /** This run's requests on chain carrying `paymentUstx` (each fulfilment pays a different amount). */
  async #requestsWithPayment(paymentUstx: bigint): Promise<{ id: number; request: ChainRequest }[]> {
    const { chain } = this.chaos;
    const last = Number(await this.#untilAnswered(() => chain.uint("grid-services", "get-last-request-id")));
    const found: { id: number; request: ChainRequest }[] = [];
    for (let id = this.firstRequestId + 1; id <= last; id += 1) {
      const request = await this.#untilAnswered(() => chain.request(id));
      if (request?.payment === paymentUstx) found.push({ id, request });
    }
    return found;
  }

  /**
   * Sends one write until it answers 2xx or the chain shows it done (`done`), settling the
   * service between attempts. Returns what `fromAnswer` or `done` makes of it.
   */
  async #step<T>(
    service: ServiceName,
    apiKey: string,
    method: string,
    path: string,
    body: unknown,
    done: () => Promise<T | undefined>,
    fromAnswer: (body: Record<string, unknown>) => T | undefined,
  ): Promise<T> {
    const idempotencyKey = randomUUID();
    const deadline = Date.now() + STEP_DEADLINE_MS;
    let last = "";
    for (;;) {
      if (this.#aborted) throw new Error(`${method} ${service}/${path} given up; last answer: ${last || "none"}`);
      const answer = await this.#send(service, apiKey, method, path, body, idempotencyKey);
      // A 202 is a write still confirming, and a retry answered from the chain alone carries only
      // the transaction (no request id): in both cases the chain says when the step is done.
      const result =
        answer.status >= 200 && answer.status < 300 && answer.status !== 202 ? fromAnswer(answer.body) : undefined;
      if (result !== undefined) return result;
      last = `${answer.status} ${String(answer.body.code ?? "")} ${String(answer.body.message ?? "")}`.trim();
      this.retries.push(`${method} ${service}/${path}: ${last}`);
      await sleep(1_000);
      await this.#settle(service);
      const already = await done().catch(() => undefined);
      if (already !== undefined) return already;
      if (Date.now() > deadline) throw new Error(`${method} ${service}/${path} never succeeded; last answer: ${last}`);
    }
  }

  async #send(
    service: ServiceName,
    apiKey: string,
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string,
  ): Promise<Answer> {
    try {
      const response = await fetch(`${this.chaos.system.urls[service]}/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "idempotency-key": idempotencyKey,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(180_000),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
      return { status: response.status, body: parsed };
    } catch (error) {
      return { status: 0, body: { code: "UNREACHABLE", message: error instanceof Error ? error.message : "" } };
    }
  }

  /** Waits (bounded) until the service is ready and its journal holds no pending transaction. */
  async #settle(service: ServiceName): Promise<void> {
    const deadline = Date.now() + SETTLE_MS;
    const admin = this.chaos.system.client("admin");
    while (Date.now() < deadline && !this.#aborted) {
      const settled = await admin
        .transactions(service, { status: "pending", limit: 10 })
        .then((journal) => journal.items.length === 0)
        .catch(() => false);
      if (settled) return;
      await sleep(500);
    }
  }

  /** Reads the chain, waiting through a devnet restart. */
  async #untilAnswered<T>(read: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + STEP_DEADLINE_MS;
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (Date.now() > deadline || this.#aborted) throw error;
        await sleep(500);
      }
    }
  }
}
