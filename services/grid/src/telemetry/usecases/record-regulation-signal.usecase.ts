import { Inject, Injectable } from "@nestjs/common";
import type { RegulationSignalAccepted } from "@voltstack/api";
import { ApiError, SERVICE_CONFIG } from "@voltstack/service-kit";
import type { GridConfig } from "../../grid-config.js";
import { sampleWindowRefusal } from "../sample-window.js";
import { TelemetryRepository } from "../telemetry-repository.js";
import { MinuteSlotBuffer } from "../telemetry-slots.js";

/**
 * The grid operator's dispatch signal for a program's regulation facilities, posted by an admin
 * or the scoring oracle: refused when the program is unknown (ERR_PROGRAM_NOT_FOUND) or a
 * sample is outside the accepted window, otherwise merged slot by slot like telemetry.
 */
@Injectable()
export class RecordRegulationSignalUseCase {
  constructor(
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
  ) {}

  async execute(
    programId: number,
    samples: readonly { at: string; valueBps: number }[],
  ): Promise<RegulationSignalAccepted> {
    if (!(await this.telemetry.programExists(programId))) {
      throw ApiError.notFound("ERR_PROGRAM_NOT_FOUND", `There is no program ${programId}.`, { programId });
    }
    const refusal = sampleWindowRefusal(
      samples.map((sample) => Date.parse(sample.at)),
      new Date(),
      this.config.TELEMETRY_RETENTION_DAYS,
    );
    if (refusal) throw ApiError.badRequest(refusal.code, refusal.message, { programId, ...refusal.details });
    const buffer = new MinuteSlotBuffer(1);
    buffer.add(
      programId,
      samples.map((sample) => ({ atMs: Date.parse(sample.at), values: [sample.valueBps] })),
    );
    await this.telemetry.mergeRegulationSignal(buffer.rows());
    return { programId, accepted: samples.length, slots: buffer.slotCount() };
  }
}
