import { Controller, Get, Header } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { register } from "prom-client";
import { z } from "zod";
import { Operation } from "../openapi/operation.js";

/** Prometheus scrape endpoint over prom-client's default registry (every library's metrics). */
@ApiTags("health")
@Controller("metrics")
export class MetricsController {
  @Operation({
    summary:
      "Prometheus metrics: HTTP, outbox, consumers, dead letters, chain transactions and their confirmation time.",
    answers: z.string(),
    produces: register.contentType,
  })
  @Get()
  @Header("Content-Type", register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
