import { Controller, Get, HttpException, Inject, Optional } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from "@nestjs/terminus";
import { z } from "zod";
import { ApiError } from "../errors/api-error.js";
import { Operation } from "../openapi/operation.js";
import { LIVENESS_CHECKS, READINESS_CHECKS, type ReadinessChecks } from "./readiness-checks.js";

export const READINESS_TIMEOUT_MS = Symbol("READINESS_TIMEOUT_MS");

const checkResults = z.record(z.string(), z.looseObject({ status: z.enum(["up", "down"]) }));

/** Terminus's result: each check by name, the ones up under `info`, the ones down under `error`. */
const healthAnswer = z.object({
  status: z.literal("ok"),
  info: checkResults.optional(),
  error: checkResults.optional(),
  details: checkResults,
});

@ApiTags("health")
@Controller("health")
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessChecks,
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
    @Optional() @Inject(LIVENESS_CHECKS) private readonly liveness: ReadinessChecks | null = null,
  ) {}

  @Operation({
    summary:
      "The process can still recover by itself: down (503) only when it cannot (a connection closed for good, a worker dead for good), so the orchestrator restarts it; up during an outage that reconnecting ends.",
    answers: healthAnswer,
    refuses: [{ NOT_LIVE: 503 }],
  })
  @Get("live")
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.run(this.liveness ?? {}, "NOT_LIVE", "The service cannot recover by itself");
  }

  @Operation({
    summary:
      "Every dependency (PostgreSQL, NATS, the chain node) answers and no event consumer is stuck; each one down is named with its reason.",
    answers: healthAnswer,
    refuses: [{ NOT_READY: 503 }],
  })
  @Get("ready")
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.run(this.checks, "NOT_READY", "The service is not ready");
  }

  private async run(checks: ReadinessChecks, code: string, summary: string): Promise<HealthCheckResult> {
    const indicators = Object.entries(checks).map(
      ([name, check]) =>
        () =>
          this.indicators
            .check(name)
            .attempt(async ({ signal }) => {
              await check(signal);
            })
            .withTimeout(this.timeoutMs),
    );
    try {
      return await this.health.check(indicators);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.entries(result.error ?? {}).map(([name, detail]) => {
        const reason = (detail as { message?: unknown }).message;
        return typeof reason === "string" ? `${name} (${reason})` : name;
      });
      throw new ApiError(503, code, `${summary}: ${down.join(", ")} unavailable.`, result);
    }
  }
}
