import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import {
  type Caller,
  CurrentCaller,
  Roles,
  stacksPrincipal,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";
import {
  type FrequencyOracleView,
  type FrequencyReadingView,
  FrequencyRepository,
  type FrequencyStatusView,
} from "./frequency-repository.js";
import {
  type FrequencyReadingsBody,
  frequencyReadingsBody,
  listReadingsQuery,
  setFrequencyTargetBody,
  setOracleBody,
} from "./frequency-requests.js";
import { type IngestResult, IngestFrequencyReadingsUseCase } from "./usecases/ingest-frequency-readings.usecase.js";
import { SetFrequencyTargetUseCase } from "./usecases/set-frequency-target.usecase.js";
import { SetOracleUseCase } from "./usecases/set-oracle.usecase.js";

/** The frequency target and oracles (admins), the readings stream (meters and oracles) and the status. */
@ApiTags("frequency")
@Controller("frequency")
export class FrequencyController {
  constructor(
    @Inject(SetFrequencyTargetUseCase) private readonly setTarget: SetFrequencyTargetUseCase,
    @Inject(IngestFrequencyReadingsUseCase) private readonly ingestReadings: IngestFrequencyReadingsUseCase,
    @Inject(SetOracleUseCase) private readonly setOracle: SetOracleUseCase,
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

  /** What the service received, newest first; `written` ones carry the transaction that reported them. */
  @Get("readings")
  @Roles("admin", "operator")
  listReadings(
    @ZodQuery(listReadingsQuery) query: z.output<typeof listReadingsQuery>,
  ): Promise<{ items: FrequencyReadingView[]; nextAfter: number | null }> {
    return this.frequency.readings(query);
  }

  @Put("oracles/:principal")
  @Roles("admin")
  oracle(
    @ZodParam("principal", stacksPrincipal) oracle: string,
    @ZodBody(setOracleBody) body: z.output<typeof setOracleBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { oracle: string; enabled: boolean }> {
    return this.setOracle.execute({ caller, oracle, ...body });
  }

  /** Every principal an admin set as an oracle, from the API or a wallet, enabled or not. */
  @Get("oracles")
  async oracles(): Promise<{ items: FrequencyOracleView[] }> {
    return { items: await this.frequency.oracles() };
  }

  @Get("status")
  status(): Promise<FrequencyStatusView> {
    return this.frequency.status();
  }
}
