import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import { type Caller, CurrentCaller, Roles, ZodBody } from "@voltstack/service-kit";
import { FrequencyRepository, type FrequencyStatusView } from "./frequency-repository.js";
import { type FrequencyReadingsBody, frequencyReadingsBody, setFrequencyTargetBody } from "./frequency-requests.js";
import { type IngestResult, IngestFrequencyReadingsUseCase } from "./usecases/ingest-frequency-readings.usecase.js";
import { SetFrequencyTargetUseCase } from "./usecases/set-frequency-target.usecase.js";

/** The frequency target (admins), the readings stream (meters and oracles) and the status. */
@ApiTags("frequency")
@Controller("frequency")
export class FrequencyController {
  constructor(
    @Inject(SetFrequencyTargetUseCase) private readonly setTarget: SetFrequencyTargetUseCase,
    @Inject(IngestFrequencyReadingsUseCase) private readonly ingestReadings: IngestFrequencyReadingsUseCase,
    @Inject(FrequencyRepository) private readonly frequency: FrequencyRepository,
  ) {}

  @Put("target")
  @Roles("admin")
  target(
    @ZodBody(setFrequencyTargetBody) body: z.output<typeof setFrequencyTargetBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { targetMhz: number; deadbandMhz: number }> {
    return this.setTarget.execute({ caller, ...body });
  }

  /** Stores every reading; the answer says which went on chain and why. */
  @Post("readings")
  @HttpCode(200)
  @Roles("admin", "operator")
  readings(
    @ZodBody(frequencyReadingsBody) body: FrequencyReadingsBody,
    @CurrentCaller() caller: Caller,
  ): Promise<IngestResult> {
    const readings =
      "readings" in body ? body.readings : [{ frequencyMhz: body.frequencyMhz, measuredAt: body.measuredAt }];
    return this.ingestReadings.execute({
      caller,
      readings: readings.map((r) => ({
        frequencyMhz: r.frequencyMhz,
        ...(r.measuredAt ? { measuredAt: r.measuredAt } : {}),
      })),
      ...(body.actAs ? { actAs: body.actAs } : {}),
    });
  }

  @Get("status")
  status(): Promise<FrequencyStatusView> {
    return this.frequency.status();
  }
}
