import { Inject, Injectable } from "@nestjs/common";
import type { FrequencyIngest } from "@voltstack/api";
import { withSpan } from "@voltstack/observability";
import { type Caller, SERVICE_CONFIG } from "@voltstack/service-kit";
import { ChainFacts } from "../../chain/chain-facts.js";
import { GridChainWriter } from "../../chain/grid-chain-writer.js";
import type { GridConfig } from "../../grid-config.js";
import { FrequencyRepository } from "../frequency-repository.js";
import { deviates, type LastReport, reportDecision } from "../report-decision.js";

export interface IngestFrequencyReadingsCommand {
  caller: Caller;
  readings: { frequencyMhz: number; measuredAt?: string }[];
  actAs?: string;
}

/**
 * A meter or oracle sends readings; all are stored, and one goes on chain (signed as the
 * caller's reporter principal, an admin or an oracle) only when the deviation state
 * changes or the cadence has elapsed. Batches are taken in measurement order, and
 * requests one after another, so two requests never both report the same change.
 */
@Injectable()
export class IngestFrequencyReadingsUseCase {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(GridChainWriter) private readonly writer: GridChainWriter,
    @Inject(FrequencyRepository) private readonly frequency: FrequencyRepository,
    @Inject(SERVICE_CONFIG) private readonly config: GridConfig,
    @Inject(ChainFacts) private readonly facts: ChainFacts,
  ) {}

  execute(command: IngestFrequencyReadingsCommand): Promise<FrequencyIngest> {
    const run = this.queue.then(() => this.ingest(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ingest(command: IngestFrequencyReadingsCommand): Promise<FrequencyIngest> {
    return withSpan("grid ingest-frequency-readings", { "voltstack.readings": command.readings.length }, async () => {
      const reporter = this.writer.actingPrincipal(command.caller, command.actAs);
      const receivedAt = new Date();
      const ordered = command.readings
        .map((reading, index) => ({
          index,
          frequencyMhz: reading.frequencyMhz,
          measuredAt: reading.measuredAt ? new Date(reading.measuredAt) : receivedAt,
        }))
        .sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime() || a.index - b.index);
      const status = await this.frequency.status();
      let last: LastReport | undefined = await this.frequency.lastWritten();
      const results: FrequencyIngest["readings"] = [];
      // Asked once, and only when a reading goes to the chain: skipped readings cost nothing.
      let reporterChecked = false;
      for (const reading of ordered) {
        const deviating = deviates(reading.frequencyMhz, status.targetMhz, status.deadbandMhz);
        const decision = reportDecision(
          { deviating, measuredAt: reading.measuredAt },
          last,
          this.config.FREQUENCY_REPORT_CADENCE_S,
        );
        let written: { txid: string; blockHeight: number; deviating: boolean } | undefined;
        if (decision !== "skipped") {
          if (!reporterChecked) {
            await this.facts.assertReporter(reporter);
            reporterChecked = true;
          }
          const result = await this.writer.write(command.caller, reporter, (grid) =>
            grid.reportFrequency(BigInt(reading.frequencyMhz)),
          );
          // The contract's verdict is the truth (the target may have moved under us).
          written = { txid: result.txid, blockHeight: result.blockHeight, deviating: result.value };
          last = { deviating: result.value, measuredAt: reading.measuredAt };
        }
        const stored = {
          source: command.caller.id,
          frequencyMhz: reading.frequencyMhz,
          measuredAt: reading.measuredAt,
          deviating: written?.deviating ?? deviating,
          decision,
          ...(written ? { txid: written.txid, blockHeight: written.blockHeight } : {}),
        };
        await this.frequency.store(stored);
        results.push({
          index: reading.index,
          frequencyMhz: reading.frequencyMhz,
          measuredAt: reading.measuredAt.toISOString(),
          deviating: stored.deviating,
          decision,
          written: written !== undefined,
          txid: written?.txid ?? null,
          blockHeight: written?.blockHeight ?? null,
        });
      }
      results.sort((a, b) => a.index - b.index);
      return { received: results.length, written: results.filter((r) => r.written).length, readings: results };
    });
  }
}
