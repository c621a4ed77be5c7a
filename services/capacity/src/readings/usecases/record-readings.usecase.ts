import { Inject, Injectable } from "@nestjs/common";
import type { Capacity, CapacityReadingResult } from "@voltstack/api";
import { contractRefusal, signerForFacility } from "@voltstack/chain-sync";
import { withSpan } from "@voltstack/observability";
import { ApiError, type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import type { CapacityConfig } from "../../capacity-config.js";
import { CapacityChainWriter } from "../../chain/capacity-chain-writer.js";
import { CapacityRepository } from "../../capacity/capacity-repository.js";
import { STATUS_BY_CONTRACT_ERROR } from "../../chain/chain-write-errors.js";
import { FacilityRegistryReader } from "../../chain/facility-registry-reader.js";
import { FacilityLock } from "../facility-lock.js";
import { ReadingRepository, type RecordedReading } from "../reading-repository.js";
import { readingDecision, type ReadingThresholds } from "../reading-throttle.js";

export interface IncomingReading {
  facilityId: number;
  storedKwh: number;
  measuredAt?: Date;
}

export interface RecordReadingsCommand {
  caller: Caller;
  readings: IncomingReading[];
  actAs?: string;
  /** single: a failed chain write is the answer (its 4xx); batch: it is that reading's outcome. */
  mode: "single" | "batch";
}

type Target = { facilityId: number; signer: string };

/**
 * A battery management system reports stored energy. Every reading of an accepted request
 * is recorded; per facility only the newest of the request may go to the chain
 * (update-capacity), and only when it passes the thresholds. All facilities are checked
 * (known, initialised, the caller allowed to sign for them) before anything is recorded
 * or sent; a reading
 * the contract would refuse (above the total, below the reserved energy) is never sent:
 * alone it is refused with the contract's code and not recorded, in a batch it is
 * recorded as failed with that code.
 */
@Injectable()
export class RecordReadingsUseCase {
  private readonly lock = new FacilityLock();
  private readonly thresholds: ReadingThresholds;

  constructor(
    @Inject(CapacityChainWriter) private readonly writer: CapacityChainWriter,
    @Inject(CapacityRepository) private readonly capacities: CapacityRepository,
    @Inject(ReadingRepository) private readonly readings: ReadingRepository,
    @Inject(FacilityRegistryReader) private readonly registry: FacilityRegistryReader,
    @Inject(SERVICE_CONFIG) config: CapacityConfig,
  ) {
    this.thresholds = { minChangeKwh: config.READING_MIN_CHANGE_KWH, minIntervalMs: config.READING_MIN_INTERVAL_MS };
  }

  execute(command: RecordReadingsCommand): Promise<CapacityReadingResult[]> {
    return withSpan("capacity record-readings", { "voltstack.readings": command.readings.length }, async () => {
      const receivedAt = new Date();
      const byFacility = new Map<number, { index: number; reading: IncomingReading }[]>();
      command.readings.forEach((reading, index) => {
        const group = byFacility.get(reading.facilityId) ?? [];
        group.push({ index, reading });
        byFacility.set(reading.facilityId, group);
      });
      const targets = await Promise.all([...byFacility.keys()].map((id) => this.target(command, id)));
      const results: CapacityReadingResult[] = new Array<CapacityReadingResult>(command.readings.length);
      await Promise.all(
        targets.map((target) =>
          this.lock.run(target.facilityId, async () => {
            const group = byFacility.get(target.facilityId)!;
            for (const [i, result] of (await this.recordFacility(command, target, group, receivedAt)).entries()) {
              results[group[i]!.index] = result;
            }
          }),
        ),
      );
      return results;
    });
  }

  private async target(command: RecordReadingsCommand, facilityId: number): Promise<Target> {
    const facility = await this.capacities.findApprovedFacility(facilityId);
    if (!facility) {
      throw ApiError.notFound("FACILITY_NOT_FOUND", `No approved facility ${facilityId} is known to this service.`, {
        facilityId,
      });
    }
    const signer = signerForFacility(
      this.writer,
      command.caller,
      await this.registry.signers(facility, command.caller),
      command.actAs,
    );
    if (!(await this.capacities.findCapacity(facilityId))) {
      throw ApiError.conflict(
        "CAPACITY_NOT_INITIALIZED",
        `Facility ${facilityId}'s capacity is not initialised: POST /facilities/${facilityId}/capacity first.`,
        { facilityId },
      );
    }
    return { facilityId, signer };
  }

  private async recordFacility(
    command: RecordReadingsCommand,
    target: Target,
    group: { reading: IncomingReading }[],
    receivedAt: Date,
  ): Promise<CapacityReadingResult[]> {
    const recorded: RecordedReading[] = group.map(({ reading }) => ({
      facilityId: target.facilityId,
      storedKwh: BigInt(reading.storedKwh),
      measuredAt: reading.measuredAt ?? receivedAt,
      receivedAt,
      requestedBy: command.caller.id,
      outcome: "superseded",
      detail: "SUPERSEDED",
    }));
    // The newest measurement stands for the facility; ties go to the last one sent.
    const newest = recorded.reduce((best, reading) => (reading.measuredAt >= best.measuredAt ? reading : best));
    const chainState = (await this.capacities.findCapacity(target.facilityId))!;
    const decision = readingDecision(
      newest,
      { storedKwh: BigInt(chainState.storedKwh) },
      await this.readings.lastWrittenAt(target.facilityId),
      this.thresholds,
    );
    const refusal = outOfBounds(target.facilityId, newest.storedKwh, chainState);
    // A single reading refused before signing is bad input: the 4xx is the answer and nothing is
    // recorded. In a batch it is that reading's outcome, recorded as failed beside the others.
    if (refusal && command.mode === "single") throw refusal;
    if (!refusal && !decision.write) {
      Object.assign(newest, { outcome: "skipped", detail: decision.reason });
    } else {
      try {
        if (refusal) throw refusal;
        const result = await this.writer.write(command.caller, target.signer, (capacity) =>
          capacity.updateCapacity(BigInt(target.facilityId), newest.storedKwh),
        );
        Object.assign(newest, {
          outcome: "written",
          detail: undefined,
          txid: result.txid,
          blockHeight: result.blockHeight,
        });
      } catch (error) {
        // Only refusals of the contract's rules (ours before signing, or the chain's mapped by the writer) are a reading's outcome.
        if (!(error instanceof ApiError)) throw error;
        Object.assign(newest, { outcome: "failed", detail: error.code });
        const ids = await this.readings.record(recorded);
        if (command.mode === "single") throw error;
        return this.toResults(recorded, ids);
      }
    }
    return this.toResults(recorded, await this.readings.record(recorded));
  }

  private toResults(recorded: RecordedReading[], ids: string[]): CapacityReadingResult[] {
    return recorded.map((reading, i) => ({
      readingId: ids[i]!,
      facilityId: reading.facilityId,
      storedKwh: Number(reading.storedKwh),
      measuredAt: reading.measuredAt.toISOString(),
      outcome: reading.outcome,
      written: reading.outcome === "written",
      reason: reading.detail ?? null,
      txid: reading.txid ?? null,
      blockHeight: reading.blockHeight ?? null,
    }));
  }
}

/** The contract's bounds on a reading (reserved <= stored <= total), checked before a fee is paid. */
function outOfBounds(facilityId: number, storedKwh: bigint, levels: Capacity): ApiError | undefined {
  const figures = {
    facilityId,
    storedKwh: Number(storedKwh),
    totalKwh: levels.totalKwh,
    reservedKwh: levels.reservedKwh,
  };
  if (storedKwh > BigInt(levels.totalKwh)) {
    return contractRefusal(
      STATUS_BY_CONTRACT_ERROR,
      "ERR_STORED_EXCEEDS_TOTAL",
      `A reading of ${storedKwh} kWh is more than facility ${facilityId}'s capacity of ${levels.totalKwh} kWh.`,
      figures,
    );
  }
  if (storedKwh < BigInt(levels.reservedKwh)) {
    return contractRefusal(
      STATUS_BY_CONTRACT_ERROR,
      "ERR_BELOW_RESERVED",
      `A reading of ${storedKwh} kWh is below the ${levels.reservedKwh} kWh facility ${facilityId} has reserved for grid services.`,
      figures,
    );
  }
  return undefined;
}
