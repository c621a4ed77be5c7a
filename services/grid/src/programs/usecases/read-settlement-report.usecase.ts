import { Inject, Injectable } from "@nestjs/common";
import type { Settlement } from "@voltstack/api";
import { ApiError } from "@voltstack/service-kit";
import {
  type InclusionProofJson,
  reportRoot,
  type SettlementLineJson,
  type SettlementReport,
  type SettlementReportJson,
} from "@voltstack/settlement";
import { ProgramChainReads } from "../../chain/program-chain-reads.js";
import { ProgramRepository, type SettlementKey } from "../program-repository.js";
import { gridRefusal } from "../../chain/chain-write-errors.js";
import { buildSettlementReport, lineProof, reportFromJson, reportToJson } from "../settlement-reports.js";
import { programOrRefuse } from "./program-lookup.js";

export interface SettlementReportAnswer {
  settlement: Settlement;
  report: SettlementReportJson;
}

/** The header a verifier hashes with a line and its proof, figures as decimal strings. */
export interface SettlementHeaderJson {
  contract: string;
  programId: string;
  cohort: string;
  period: string;
  product: string;
  capacityPriceUstx: string;
  energyPriceUstx: string;
  lineCount: number;
}

export interface SettlementLineAnswer {
  settlement: Settlement;
  facilityId: number;
  line: SettlementLineJson;
  header: SettlementHeaderJson;
  proof: InclusionProofJson;
}

/**
 * The settlement report of a (program, cohort, period) and one facility's line with its inclusion
 * proof, against the root the chain recorded. The report the service built before signing is served
 * when its root is the recorded one; otherwise (a settlement sent from a wallet, say) it is rebuilt
 * from the settlement's printed lines, and served only if its root matches.
 */
@Injectable()
export class ReadSettlementReportUseCase {
  constructor(
    @Inject(ProgramRepository) private readonly programs: ProgramRepository,
    @Inject(ProgramChainReads) private readonly chainReads: ProgramChainReads,
  ) {}

  async report(key: SettlementKey): Promise<SettlementReportAnswer> {
    const { settlement, report } = await this.load(key);
    return { settlement, report: reportToJson(report) };
  }

  async line(programId: number, period: number, facilityId: number): Promise<SettlementLineAnswer> {
    const program = await programOrRefuse(this.programs, programId);
    const enrolment = await this.programs.findEnrolment(program, facilityId);
    if (!enrolment) {
      throw gridRefusal("ERR_NOT_ENROLLED", `Facility ${facilityId} is not enrolled in program ${programId}.`, {
        programId,
        facilityId,
      });
    }
    const { settlement, report } = await this.load({ programId, cohort: enrolment.cohort, period });
    const proved = lineProof(report, facilityId);
    if (!proved) {
      throw ApiError.notFound(
        "FACILITY_NOT_IN_REPORT",
        `Facility ${facilityId} has no line in the settlement of cohort ${enrolment.cohort} for period ${period}.`,
        { programId, cohort: enrolment.cohort, period, facilityId },
      );
    }
    const json = reportToJson(report);
    const { header, proof } = proved;
    return {
      settlement,
      facilityId,
      line: json.lines[Number(proved.line.slot)]!,
      header: {
        contract: header.contract,
        programId: header.programId.toString(),
        cohort: header.cohort.toString(),
        period: header.period.toString(),
        product: header.product,
        capacityPriceUstx: header.capacityPriceUstx.toString(),
        energyPriceUstx: header.energyPriceUstx.toString(),
        lineCount: header.lineCount,
      },
      proof,
    };
  }

  private async load(key: SettlementKey): Promise<{ settlement: Settlement; report: SettlementReport }> {
    const program = await programOrRefuse(this.programs, key.programId);
    const settlement = await this.programs.findSettlement(key);
    if (!settlement) {
      throw ApiError.notFound(
        "SETTLEMENT_NOT_FOUND",
        `Cohort ${key.cohort} of program ${key.programId} is not settled for period ${key.period}.`,
        { ...key },
      );
    }
    const stored = await this.programs.findReport(key, settlement.reportHash);
    if (stored !== undefined) return { settlement, report: reportFromJson(stored) };
    const lines = await this.programs.settlementLines(key);
    const rebuilt = buildSettlementReport(
      {
        network: this.chainReads.network,
        contract: this.chainReads.contractId,
        ...key,
        product: program.product,
        capacityPriceUstx: BigInt(program.capacityPriceUstx),
        energyPriceUstx: BigInt(program.energyPriceUstx),
      },
      lines.map((line) => ({
        facilityId: BigInt(line.facilityId),
        committedKw: line.committedKw,
        performanceBps: BigInt(line.performanceBps),
        deliveredKwh: line.deliveredKwh,
      })),
    );
    if (reportRoot(rebuilt.report) !== settlement.reportHash) {
      throw ApiError.notFound(
        "REPORT_NOT_AVAILABLE",
        `The settlement recorded report hash ${settlement.reportHash}, which is not the root of the report its lines make; the service has no report for it.`,
        { ...key, reportHash: settlement.reportHash, rebuiltHash: rebuilt.reportHash },
      );
    }
    return { settlement, report: rebuilt.report };
  }
}
