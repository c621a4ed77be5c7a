import { Inject, Injectable } from "@nestjs/common";
import { ApiError, type Caller } from "@voltstack/service-kit";
import { ChainFacts } from "../chain/chain-facts.js";

// A grant holds this long: telemetry arrives every few seconds, the registry changes rarely.
const GRANT_TTL_MS = 5 * 60_000;

/**
 * Who may send what scoring reads. A facility's samples: a metering gateway the platform runs (a
 * caller acting for an admin or a registered scoring oracle) or the facility's own site (its owner
 * or an enabled operator). A program's regulation signal: an admin or scoring oracle only. Both
 * are read from the chain's read-only functions and remembered for a few minutes per caller, so
 * a meter sending every 2 s costs the registry a read every few minutes, not every batch.
 */
@Injectable()
export class MeterAuthorisation {
  readonly #granted = new Map<string, number>();

  constructor(@Inject(ChainFacts) private readonly facts: ChainFacts) {}

  async assertMayReportFacility(caller: Caller, facilityId: number): Promise<void> {
    if (this.#holds(`${caller.id}:reporter`) || this.#holds(`${caller.id}:facility:${facilityId}`)) return;
    if (await this.#isReporter(caller)) return this.#grant(`${caller.id}:reporter`);
    const facility = await this.facts.facility(facilityId);
    const own = facility
      ? caller.principals.includes(facility.owner) ||
        (await this.facts.operatorsAmong(facilityId, caller.principals)).length > 0
      : false;
    if (own) return this.#grant(`${caller.id}:facility:${facilityId}`);
    throw ApiError.forbidden(
      "TELEMETRY_NOT_AUTHORIZED",
      `None of the caller's principals is an admin, a scoring oracle, or facility ${facilityId}'s owner or operator: its samples are not taken.`,
      { facilityId, principals: caller.principals },
    );
  }

  async assertMayReportSignal(caller: Caller, programId: number): Promise<void> {
    if (this.#holds(`${caller.id}:reporter`)) return;
    if (await this.#isReporter(caller)) return this.#grant(`${caller.id}:reporter`);
    throw ApiError.forbidden(
      "TELEMETRY_NOT_AUTHORIZED",
      `None of the caller's principals is an admin or a scoring oracle: program ${programId}'s regulation signal is not taken.`,
      { programId, principals: caller.principals },
    );
  }

  async #isReporter(caller: Caller): Promise<boolean> {
    for (const principal of caller.principals) {
      try {
        await this.facts.assertReporter(principal);
        return true;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
    return false;
  }

  #holds(key: string): boolean {
    const until = this.#granted.get(key);
    return until !== undefined && until > Date.now();
  }

  #grant(key: string): void {
    this.#granted.set(key, Date.now() + GRANT_TTL_MS);
  }
}
