import { Controller, Inject } from "@nestjs/common";
import { Ctx, EventPattern, Payload } from "@nestjs/microservices";
import type { DomainEvent } from "@voltstack/events";
import { type JetStreamContext, NonRetryableError } from "@voltstack/messaging";
import { FacilityRegistryReader } from "../chain/facility-registry-reader.js";
import type { Prisma } from "../generated/prisma/client.js";
import { parseConsumedEvent } from "@voltstack/chain-sync";
import { SchedulePlanner } from "./schedule-planner.js";

type Tx = Prisma.TransactionClient;
type CapacityEvent = DomainEvent<"capacity.updated"> | DomainEvent<"capacity.initialized">;
type StatusEvent = DomainEvent<"facility.suspended"> | DomainEvent<"facility.reinstated">;

/**
 * Recomputes schedules when what they depend on changes: a facility's energy levels
 * (capacity events), its status (a suspended facility holds) or the grid's demand and
 * thresholds. Each event is applied once
 * (ctx.runOnce), however often it is delivered.
 */
@Controller()
export class ScheduleEventsConsumer {
  constructor(
    @Inject(SchedulePlanner) private readonly planner: SchedulePlanner,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
  ) {}

  @EventPattern<string>("capacity.initialized")
  onCapacityInitialized(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.applyCapacity(parseConsumedEvent("capacity.initialized", data), ctx);
  }

  @EventPattern<string>("capacity.updated")
  onCapacityUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.applyCapacity(parseConsumedEvent("capacity.updated", data), ctx);
  }

  @EventPattern<string>("grid.demand.updated")
  onDemandUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.replanAll(parseConsumedEvent("grid.demand.updated", data), ctx);
  }

  @EventPattern<string>("grid.thresholds.updated")
  onThresholdsUpdated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.replanAll(parseConsumedEvent("grid.thresholds.updated", data), ctx);
  }

  @EventPattern<string>("facility.suspended")
  onSuspended(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.applyStatus(parseConsumedEvent("facility.suspended", data), ctx);
  }

  @EventPattern<string>("facility.reinstated")
  onReinstated(@Payload() data: unknown, @Ctx() ctx: JetStreamContext<Tx>): Promise<void> {
    return this.applyStatus(parseConsumedEvent("facility.reinstated", data), ctx);
  }

  private async applyStatus(event: StatusEvent, ctx: JetStreamContext<Tx>): Promise<void> {
    const { facilityId } = event.payload;
    // The registry's status now, not the event's: suspensions and reinstatements may arrive
    // out of order, and the registry is what the contract's own rule reads.
    const facility = await this.registry.facility(facilityId);
    if (!facility) {
      throw new NonRetryableError("FACILITY_NOT_FOUND", `Facility ${facilityId} is not in the facility registry.`);
    }
    await ctx.runOnce(async (tx) => {
      await this.planner.lock(tx);
      const known = await tx.facilityEnergy.findUnique({ where: { facilityId } });
      // No capacity yet, no schedule: the first capacity event reads the status itself.
      if (!known || known.status === facility.status) return;
      await tx.facilityEnergy.update({ where: { facilityId }, data: { status: facility.status } });
      await this.planner.replan(tx, { chain: event.chain, now: new Date() }, [facilityId]);
    });
  }

  private async applyCapacity(event: CapacityEvent, ctx: JetStreamContext<Tx>): Promise<void> {
    const { facilityId, totalKwh, storedKwh, reservedKwh, availableKwh } = event.payload;
    // Power and status live in the registry; read before the transaction so it stays short.
    const facility = await this.registry.facility(facilityId);
    if (!facility) {
      throw new NonRetryableError("FACILITY_NOT_FOUND", `Facility ${facilityId} is not in the facility registry.`);
    }
    const height = event.chain?.blockHeight ?? 0;
    await ctx.runOnce(async (tx) => {
      await this.planner.lock(tx);
      const known = await tx.facilityEnergy.findUnique({ where: { facilityId } });
      // Events of one subject may arrive out of order: an older reading never overwrites a newer one.
      if (known && known.capacityHeight > height) return;
      const fields = {
        totalKwh: BigInt(totalKwh),
        storedKwh: BigInt(storedKwh),
        reservedKwh: BigInt(reservedKwh),
        availableKwh: BigInt(availableKwh),
        maxPowerKw: facility.maxPowerKw,
        status: facility.status,
        capacityHeight: height,
        updatedAt: new Date(event.occurredAt),
      };
      await tx.facilityEnergy.upsert({ where: { facilityId }, create: { facilityId, ...fields }, update: fields });
      await this.planner.replan(tx, { chain: event.chain, now: new Date() }, [facilityId]);
    });
  }

  private async replanAll(
    event: DomainEvent<"grid.demand.updated"> | DomainEvent<"grid.thresholds.updated">,
    ctx: JetStreamContext<Tx>,
  ): Promise<void> {
    await ctx.runOnce((tx) => this.planner.replan(tx, { chain: event.chain, now: new Date() }));
  }
}
