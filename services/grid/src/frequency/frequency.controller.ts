import { Controller, Get, HttpCode, Inject, Post, Put } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import type { ChainWriteResult } from "@voltstack/chain-sync";
import {
  chainWriteAnswer,
  integerField,
  itemsAnswer,
  pageAnswer,
  principalField,
  stacksPrincipal,
  timestampField,
  txidField,
} from "@voltstack/api";
import { type Caller, CurrentCaller, Operation, Roles, ZodBody, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { GRID_WRITE_REFUSALS } from "../chain/grid-answers.js";
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

const decision = z.enum(["state-change", "cadence", "skipped"]);

const oracleAnswer = z.object({
  oracle: principalField,
  enabled: z.boolean(),
  lastTxid: txidField,
  lastHeight: integerField,
  updatedAt: timestampField,
});

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
    answers: chainWriteAnswer({ targetMhz: integerField, deadbandMhz: integerField }),
    refuses: GRID_WRITE_REFUSALS,
  })
  @Put("target")
  @Roles("admin")
  target(
    @ZodBody(setFrequencyTargetBody) body: z.output<typeof setFrequencyTargetBody>,
    @CurrentCaller() caller: Caller,
  ): Promise<ChainWriteResult & { targetMhz: number; deadbandMhz: number }> {
    return this.setTarget.execute({ caller, ...body });
  }

  /** Stores every reading; the answer says which went on chain and why. */
  @Operation({
    summary:
      "Takes frequency readings (an admin or oracle's meter); one goes on chain when the deviation changes or the cadence elapsed.",
    answers: z.object({
      received: integerField,
      written: integerField,
      readings: z.array(
        z.object({
          index: integerField.meta({ description: "Position in the request" }),
          frequencyMhz: integerField,
          measuredAt: timestampField,
          deviating: z.boolean(),
          decision,
          written: z.boolean(),
          txid: txidField.nullable(),
          blockHeight: integerField.nullable(),
        }),
      ),
    }),
    refuses: GRID_WRITE_REFUSALS,
  })
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
  @Operation({
    summary: "The readings this service received, newest first; written ones carry the transaction that reported them.",
    answers: pageAnswer(
      z.object({
        id: integerField,
        source: z.string().meta({ description: "The API key (or JWT subject) that sent it" }),
        frequencyMhz: integerField,
        measuredAt: timestampField,
        receivedAt: timestampField,
        deviating: z.boolean(),
        decision,
        written: z.boolean(),
        txid: txidField.nullable(),
        blockHeight: integerField.nullable(),
      }),
    ),
  })
  @Get("readings")
  @Roles("admin", "operator")
  listReadings(
    @ZodQuery(listReadingsQuery) query: z.output<typeof listReadingsQuery>,
  ): Promise<{ items: FrequencyReadingView[]; nextAfter: number | null }> {
    return this.frequency.readings(query);
  }

  @Operation({
    summary: "Enables or disables a principal as a frequency oracle on chain (admin).",
    answers: chainWriteAnswer({ oracle: principalField, enabled: z.boolean() }),
    refuses: GRID_WRITE_REFUSALS,
  })
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
  @Operation({
    summary: "Every principal an admin set as an oracle, from the API or a wallet, enabled or not.",
    answers: itemsAnswer(oracleAnswer),
  })
  @Get("oracles")
  async oracles(): Promise<{ items: FrequencyOracleView[] }> {
    return { items: await this.frequency.oracles() };
  }

  @Operation({
    summary:
      "The frequency target, the last reading on chain, whether the grid deviates, and the newest reading received.",
    answers: z.object({
      targetMhz: integerField,
      deadbandMhz: integerField,
      lastReadingMhz: integerField.nullable(),
      lastReadingHeight: integerField.nullable(),
      lastReporter: principalField.nullable(),
      deviating: z.boolean(),
      lastTxid: txidField.nullable(),
      lastHeight: integerField.nullable(),
      lastIngested: z
        .object({
          frequencyMhz: integerField,
          measuredAt: timestampField,
          deviating: z.boolean(),
          decision: z.string(),
        })
        .nullable(),
    }),
  })
  @Get("status")
  status(): Promise<FrequencyStatusView> {
    return this.frequency.status();
  }
}
