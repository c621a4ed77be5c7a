import { Controller, Get, HttpException, Inject } from "@nestjs/common";
import { ApiOperation, ApiTags } from "@nestjs/swagger";
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from "@nestjs/terminus";
import { ApiError } from "../errors/api-error.js";
import { READINESS_CHECKS, type ReadinessChecks } from "./readiness-checks.js";

export const READINESS_TIMEOUT_MS = Symbol("READINESS_TIMEOUT_MS");

@ApiTags("health")
@Controller("health")
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessChecks,
    @Inject(READINESS_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  @Get("live")
  @HealthCheck()
  @ApiOperation({ summary: "The process is up; checks no dependency." })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get("ready")
  @HealthCheck()
  @ApiOperation({ summary: "Every dependency (PostgreSQL, NATS, the chain node) answers." })
  async ready(): Promise<HealthCheckResult> {
    const indicators = Object.entries(this.checks).map(
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
      const down = Object.keys(result.error ?? {});
      throw new ApiError(503, "NOT_READY", `The service is not ready: ${down.join(", ")} unavailable.`, result);
    }
  }
}
