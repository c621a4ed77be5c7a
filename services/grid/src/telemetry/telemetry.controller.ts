import { Controller, Get, HttpCode, Inject, Post } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  facilityIdParam,
  programIdParam,
  type RegulationSignalAccepted,
  regulationSignalAcceptedAnswer,
  type RegulationSignalBody,
  regulationSignalBody,
  type RegulationSignalSeries,
  regulationSignalSeriesAnswer,
  seriesQuery,
  type TelemetryAccepted,
  telemetryAcceptedAnswer,
  type TelemetrySeries,
  telemetrySeriesAnswer,
  type TelemetryBody,
  telemetryBody,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { MeterAuthorisation } from "./meter-authorisation.js";
import { TelemetryRepository } from "./telemetry-repository.js";
import { IngestTelemetryUseCase } from "./usecases/ingest-telemetry.usecase.js";
import { RecordRegulationSignalUseCase } from "./usecases/record-regulation-signal.usecase.js";

type SeriesQuery = z.output<typeof seriesQuery>;

const SAMPLE_REFUSALS = {
  TELEMETRY_NOT_AUTHORIZED: 403,
  TELEMETRY_SAMPLE_IN_FUTURE: 400,
  TELEMETRY_SAMPLE_TOO_OLD: 400,
};

/**
 * Facilities' metered samples (posted by metering gateways: operator keys, or admins) and
 * programs' regulation signals (admins and the scoring oracle's operator key), stored in
 * 2-second slots and read back as plot-ready series.
 */
@ApiTags("telemetry")
@Controller()
export class TelemetryController {
  constructor(
    @Inject(IngestTelemetryUseCase) private readonly ingest: IngestTelemetryUseCase,
    @Inject(RecordRegulationSignalUseCase) private readonly recordSignal: RecordRegulationSignalUseCase,
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(MeterAuthorisation) private readonly meters: MeterAuthorisation,
  ) {}

  /** Stored at once (200: stored, not scored yet; 202 is this API's "chain write pending"); the same samples sent again change nothing. */
  @Operation({
    summary:
      "Stores a facility's metered samples in 2-second slots (a metering gateway, the owner or an operator); the same samples again change nothing.",
    answers: telemetryAcceptedAnswer,
    refuses: [SAMPLE_REFUSALS, { FACILITY_NOT_FOUND: 404 }],
  })
  @Post("facilities/:facilityId/telemetry")
  @HttpCode(200)
  @Roles("admin", "operator")
  async report(
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
    @ZodBody(telemetryBody) body: TelemetryBody,
    @CurrentCaller() caller: Caller,
  ): Promise<TelemetryAccepted> {
    await this.meters.assertMayReportFacility(caller, facilityId);
    return this.ingest.execute(facilityId, body.samples);
  }

  /** The facility's 2-second series over [from, to) (at most 6 h), null where no sample arrived. */
  @Operation({
    summary: "The facility's 2-second series over [from, to) (at most 6 h), null where no sample arrived.",
    answers: telemetrySeriesAnswer,
  })
  @Get("facilities/:facilityId/telemetry")
  async series(
    @ZodParam("facilityId", facilityIdParam) facilityId: number,
    @ZodQuery(seriesQuery) query: SeriesQuery,
  ): Promise<TelemetrySeries> {
    const series = await this.telemetry.series(facilityId, new Date(query.from), new Date(query.to));
    return { facilityId, ...series, from: series.from.toISOString() };
  }

  @Operation({
    summary: "Stores a program's regulation signal in 2-second slots (admins and scoring oracles).",
    answers: regulationSignalAcceptedAnswer,
    refuses: [SAMPLE_REFUSALS, { ERR_PROGRAM_NOT_FOUND: 404 }],
  })
  @Post("programs/:programId/regulation-signal")
  @HttpCode(200)
  @Roles("admin", "operator")
  async signal(
    @ZodParam("programId", programIdParam) programId: number,
    @ZodBody(regulationSignalBody) body: RegulationSignalBody,
    @CurrentCaller() caller: Caller,
  ): Promise<RegulationSignalAccepted> {
    await this.meters.assertMayReportSignal(caller, programId);
    return this.recordSignal.execute(programId, body.samples);
  }

  /** The program's regulation signal over [from, to) (at most 6 h), null where none was posted. */
  @Operation({
    summary:
      "The program's regulation signal over [from, to) (at most 6 h) in basis points of committed power, null in gaps.",
    answers: regulationSignalSeriesAnswer,
  })
  @Get("programs/:programId/regulation-signal")
  async regulationSignal(
    @ZodParam("programId", programIdParam) programId: number,
    @ZodQuery(seriesQuery) query: SeriesQuery,
  ): Promise<RegulationSignalSeries> {
    const series = await this.telemetry.regulationSignal(programId, new Date(query.from), new Date(query.to));
    return { programId, ...series, from: series.from.toISOString() };
  }
}
