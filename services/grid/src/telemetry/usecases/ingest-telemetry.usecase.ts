import { Inject, Injectable } from "@nestjs/common";
import type { TelemetryAccepted } from "@voltstack/api";
import { ApiError, SERVICE_CONFIG } from "@voltstack/service-kit";
import type { GridConfig } from "../../grid-config.js";
import { sampleWindowRefusal } from "../sample-window.js";
import { TELEMETRY_CHANNELS, TelemetryRepository } from "../telemetry-repository.js";
import { MinuteSlotBuffer } from "../telemetry-slots.js";

export interface TelemetrySample {
  at: string;
  powerW: number;
  storedWh?: number | undefined;
  frequencyMilliHz?: number | undefined;
}

/** The facility's samples in its 2-second slots; TelemetryConsumer does the same for NATS batches. */
export function telemetrySlots(
  buffer: MinuteSlotBuffer,
  facilityId: number,
  samples: readonly TelemetrySample[],
): void {
  buffer.add(
    facilityId,
    samples.map((sample) => ({
      atMs: Date.parse(sample.at),
      values: [sample.powerW, sample.storedWh ?? null, sample.frequencyMilliHz ?? null],
    })),
  );
}

/**
 * A metering gateway posts a facility's samples: refused whole when the facility is not in
 * the read model (FACILITY_NOT_FOUND) or a sample is outside the accepted window; otherwise
 * merged into the stored minutes (a repeat overwrites its slot).
 */
@Injectable()
export class IngestTelemetryUseCase {
  constructor(
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
  ) {}

  async execute(facilityId: number, samples: readonly TelemetrySample[]): Promise<TelemetryAccepted> {
    if (!(await this.telemetry.knownFacilities([facilityId])).has(facilityId)) {
      throw ApiError.notFound(
        "FACILITY_NOT_FOUND",
        `Facility ${facilityId} has neither enrolled in a program nor accepted a service request this service knows; its telemetry is not kept.`,
        { facilityId },
      );
    }
    const refusal = sampleWindowRefusal(
      samples.map((sample) => Date.parse(sample.at)),
      new Date(),
      this.config.TELEMETRY_RETENTION_DAYS,
    );
    if (refusal) throw ApiError.badRequest(refusal.code, refusal.message, { facilityId, ...refusal.details });
    const buffer = new MinuteSlotBuffer(TELEMETRY_CHANNELS);
    telemetrySlots(buffer, facilityId, samples);
    await this.telemetry.mergeTelemetry(buffer.rows());
    return { facilityId, accepted: samples.length, slots: buffer.slotCount() };
  }
}
