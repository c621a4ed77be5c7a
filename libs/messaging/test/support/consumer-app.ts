import "reflect-metadata";
import { Controller, Inject, Module, type Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Ctx, EventPattern, type MicroserviceOptions, Payload } from "@nestjs/microservices";
import type { PoolClient } from "pg";
import { type JetStreamContext, JetStreamExceptionFilter, type JetStreamServer } from "../../src/index.js";

/** What the test's handlers do; each test supplies its own. */
export type Behaviours<Tx = PoolClient> = {
  work?: (data: WorkEvent, ctx: JetStreamContext<Tx>) => Promise<void>;
  audit?: (data: WorkEvent, ctx: JetStreamContext<Tx>) => Promise<void>;
};

export type WorkEvent = { orderId: number };

export const BEHAVIOURS = "BEHAVIOURS";

@Controller()
class WorkHandlers {
  constructor(@Inject(BEHAVIOURS) private readonly behaviours: Behaviours) {}

  @EventPattern<string>("work.requested")
  async onWorkRequested(@Payload() data: WorkEvent, @Ctx() ctx: JetStreamContext<PoolClient>): Promise<void> {
    await this.behaviours.work?.(data, ctx);
  }

  @EventPattern<string>("work.audited")
  async onWorkAudited(@Payload() data: WorkEvent, @Ctx() ctx: JetStreamContext<PoolClient>): Promise<void> {
    await this.behaviours.audit?.(data, ctx);
  }
}

function moduleFor(behaviours: Behaviours): Type {
  @Module({ controllers: [WorkHandlers], providers: [{ provide: BEHAVIOURS, useValue: behaviours }] })
  class ConsumerModule {}
  return ConsumerModule;
}

/** A Nest microservice on the JetStream transport, as a service would start it. */
export async function startConsumerApp<Tx = PoolClient>(server: JetStreamServer, behaviours: Behaviours<Tx>) {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(moduleFor(behaviours as Behaviours), {
    strategy: server,
    logger: false,
  });
  app.useGlobalFilters(new JetStreamExceptionFilter());
  await app.listen();
  return app;
}
