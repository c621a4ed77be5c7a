import { Controller, Inject } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import { PROGRAM_PRODUCTS } from "@voltstack/chain";
import type { DomainEvent } from "@voltstack/events";
import type { JetStreamContext } from "@voltstack/messaging";
import type { Prisma } from "../generated/prisma/client.js";
import { parseConsumedEvent } from "@voltstack/chain-sync";
import { SchedulePlanner } from "../schedule/schedule-planner.js";

type Tx = Prisma.TransactionClient;

/**
 * The reserve a facility commits to programs, which the optimal strategy holds back: a program's
 * product (program.created), then each enrolment until the facility withdraws or the program
 * closes or is cancelled. Frequency products (kW) hold power both ways; energy products (kWh)
 * upwards only; each for the product's duration. Every change replans the facilities it touches.
 */
@Controller()
export class ProgramEventsConsumer {
  constructor(@Inject(SchedulePlanner) private readonly planner: SchedulePlanner) {}

  @EventPattern<string>("program.created")
  async onCreated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    const { programId, product } = parseConsumedEvent("program.created", data).payload;
    await ctx.runOnce(async (tx) => {
      await tx.programProduct.upsert({ where: { programId }, create: { programId, product }, update: {} });
    });
  }

  @EventPattern<string>("program.enrolled")
  async onEnrolled(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    const event = parseConsumedEvent("program.enrolled", data);
    const { programId, facilityId, committedKw } = event.payload;
    await ctx.runOnce(async (tx) => {
      const program = await tx.programProduct.findUnique({ where: { programId } });
      // program.created travels on the same stream but another subject: it may come second.
      // Retried with backoff until it is here; dead-lettered if it never comes.
      if (!program) throw new Error(`program ${programId}'s product is not known yet (program.created not applied)`);
      const known = PROGRAM_PRODUCTS[program.product as keyof typeof PROGRAM_PRODUCTS];
      const kw = BigInt(committedKw);
      const fields = {
        product: program.product,
        committedKw: kw,
        upKw: kw,
        downKw: known?.unit === "kwh" ? 0n : kw,
        durationMinutes: known?.durationMinutes ?? 60,
      };
      await tx.reserveCommitment.upsert({
        where: { programId_facilityId: { programId, facilityId } },
        create: { programId, facilityId, ...fields },
        update: fields,
      });
      await this.planner.replan(tx, { chain: event.chain, now: new Date() }, [facilityId]);
    });
  }

  @EventPattern<string>("program.withdrawn")
  async onWithdrawn(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    const event = parseConsumedEvent("program.withdrawn", data);
    const { programId, facilityId } = event.payload;
    await ctx.runOnce(async (tx) => {
      await this.planner.lock(tx);
      const { count } = await tx.reserveCommitment.deleteMany({ where: { programId, facilityId } });
      if (count > 0) await this.planner.replan(tx, { chain: event.chain, now: new Date() }, [facilityId]);
    });
  }

  @EventPattern<string>("program.closed")
  onClosed(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.release(parseConsumedEvent("program.closed", data), ctx);
  }

  @EventPattern<string>("program.cancelled")
  onCancelled(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.release(parseConsumedEvent("program.cancelled", data), ctx);
  }

  private async release(
    event: DomainEvent<"program.closed"> | DomainEvent<"program.cancelled">,
    ctx: JetStreamContext<Tx>,
  ): Promise<void> {
    const { programId } = event.payload;
    await ctx.runOnce(async (tx) => {
      await this.planner.lock(tx);
      const released = await tx.reserveCommitment.findMany({ where: { programId }, select: { facilityId: true } });
      await tx.reserveCommitment.deleteMany({ where: { programId } });
      if (released.length > 0) {
        await this.planner.replan(
          tx,
          { chain: event.chain, now: new Date() },
          released.map((row) => row.facilityId),
        );
      }
    });
  }
}
