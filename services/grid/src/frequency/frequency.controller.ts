import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import {
  type FrequencyIngest,
  frequencyIngestAnswer,
  frequencyOraclesAnswer,
  type FrequencyOracle,
  type FrequencyReadingPage,
  frequencyReadingPageAnswer,
  type FrequencyReadingsBody,
  frequencyReadingsBody,
  type FrequencyStatus,
  frequencyStatusAnswer,
  listReadingsQuery,
  setFrequencyTargetAnswer,
  setFrequencyTargetBody,
  type SetFrequencyTargetResult,
  setOracleAnswer,
  setOracleBody,
  type SetOracleResult,
  stacksPrincipal,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
import { FrequencyRepository } from "./frequency-repository.js";
import { IngestFrequencyReadingsUseCase } from "./usecases/ingest-frequency-readings.usecase.js";
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

  @Operation({
    summary: "Sets the grid's frequency target and deadband in millihertz on chain (admin).",
    answers: setFrequencyTargetAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Put("target")
  @Roles("admin")
  target(
    @ZodBody(setFrequencyTargetBody) body: z.output<typeof setFrequencyTargetBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SetFrequencyTargetResult> {
    return this.setTarget.execute({ caller, ...body });
  }

  /** Stores every reading; the answer says which went on chain and why. */
  @Operation({
    summary:
      "Takes frequency readings (an admin or oracle's meter); one goes on chain when the deviation changes or the cadence elapsed.",
    answers: frequencyIngestAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Post("readings")
  @HttpCode(200)
  @Roles("admin", "operator")
  readings(
    @ZodBody(frequencyReadingsBody) body: FrequencyReadingsBody,
    @CurrentCaller() caller: Caller,
  ): Promise<FrequencyIngest> {
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
  @Operation({
    summary: "The readings this service received, newest first; written ones carry the transaction that reported them.",
    answers: frequencyReadingPageAnswer,
  })
  @Get("readings")
  @Roles("admin", "operator")
  listReadings(@ZodQuery(listReadingsQuery) query: z.output<typeof listReadingsQuery>): Promise<FrequencyReadingPage> {
    return this.frequency.readings(query);
  }

  @Operation({
    summary: "Enables or disables a principal as a frequency oracle on chain (admin).",
    answers: setOracleAnswer,
    refuses: GRID_WRITE_REFUSALS,
  })
  @Put("oracles/:principal")
  @Roles("admin")
  oracle(
    @ZodParam("principal", stacksPrincipal) oracle: string,
    @ZodBody(setOracleBody) body: z.output<typeof setOracleBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<SetOracleResult> {
    return this.setOracle.execute({ caller, oracle, ...body });
  }

  /** Every principal an admin set as an oracle, from the API or a wallet, enabled or not. */
  @Operation({
    summary: "Every principal an admin set as an oracle, from the API or a wallet, enabled or not.",
    answers: frequencyOraclesAnswer,
  })
  @Get("oracles")
  async oracles(): Promise<{ items: FrequencyOracle[] }> {
    return { items: await this.frequency.oracles() };
  }

  @Operation({
    summary:
      "The frequency target, the last reading on chain, whether the grid deviates, and the newest reading received.",
    answers: frequencyStatusAnswer,
  })
  @Get("status")
  status(): Promise<FrequencyStatus> {
    return this.frequency.status();
  }
}
