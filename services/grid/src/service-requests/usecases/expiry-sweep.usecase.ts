import { Inject, Injectable } from "@nestjs/common";
import type { ExpirySweepResult } from "@voltstack/api";
import type { StacksChain } from "@voltstack/chain";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { STACKS_CHAIN } from "@voltstack/chain-sync";
import { ServiceRequestRepository } from "../service-request-repository.js";
import { CancelServiceRequestUseCase } from "./cancel-service-request.usecase.js";

// One sweep cancels at most this many requests; the next sweep takes the rest.
const SWEEP_BATCH = 50;

/**
 * Cancels the open requests whose expiry height the chain has reached (they can no
 * longer be accepted), refunding each requester in full. A request another writer
 * settled in the meantime fails with ERR_REQUEST_NOT_OPEN and is reported, not retried.
 */
@Injectable()
export class ExpirySweepUseCase {
  private running: Promise<ExpirySweepResult> | undefined;

  constructor(
    @Inject(CancelServiceRequestUseCase) private readonly cancel: CancelServiceRequestUseCase,
    @Inject(ServiceRequestRepository) private readonly requests: ServiceRequestRepository,
    @Inject(STACKS_CHAIN) private readonly chain: StacksChain,
  ) {}

  /** Sweeps as `caller` (signing as `actAs` or its one admin principal); overlapping calls share one sweep. */
  execute(caller: Caller, actAs?: string): Promise<ExpirySweepResult> {
    this.running ??= this.sweep(caller, actAs).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once no sweep is running (for shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private sweep(caller: Caller, actAs?: string): Promise<ExpirySweepResult> {
    return withSpan("grid expiry-sweep", {}, async () => {
      const height = await this.chain.api.getTipHeight();
      const expired = await this.requests.openExpiredAt(height, SWEEP_BATCH);
      const result: ExpirySweepResult = { height, cancelled: [], failed: [] };
      for (const request of expired) {
        try {
          const done = await this.cancel.execute({ caller, requestId: request.id, ...(actAs ? { actAs } : {}) });
          result.cancelled.push({ requestId: request.id, txid: done.txid, blockHeight: done.blockHeight });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          result.failed.push({ requestId: request.id, code: error.code, message: error.message });
        }
      }
      return result;
    });
  }
}
