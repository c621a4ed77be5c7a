import { ApiError, assertMayActFor, type Caller } from "@voltstack/service-kit";

/** Who may sign a facility-scoped call: the facility's owner and the operators the registry enabled for it. */
export interface FacilitySigners {
  id: number;
  owner: string;
  /** Enabled operators: all of them, or at least those among the caller's principals. */
  operators: readonly string[];
}

/** What the rule needs of a chain writer: which principals the service holds a key for. */
export interface SignerKeys {
  held(candidates: readonly string[]): string[];
}

/**
 * The one rule for facility-scoped writes, checked before anything is signed: a call is
 * signed as the facility's owner or as an operator enabled for it, and only for a caller
 * who may act for that principal. `actAs` names it; without it the owner is preferred,
 * else the one such principal the service holds a key for. A principal of the caller
 * that is neither owner nor operator is refused (403 FACILITY_NOT_AUTHORIZED) rather
 * than left to the contract, which would refuse it only after the fee is paid.
 */
export function signerForFacility(
  writer: SignerKeys,
  caller: Caller,
  facility: FacilitySigners,
  actAs?: string,
): string {
  const maySign = [facility.owner, ...facility.operators];
  if (actAs !== undefined) {
    assertMayActFor(caller, actAs);
    if (!maySign.includes(actAs)) throw notAuthorizedForFacility(facility, actAs);
    return actAs;
  }
  const callersSigners = maySign.filter((principal) => caller.principals.includes(principal));
  if (callersSigners.length === 0) throw notAuthorizedForFacility(facility);
  const held = writer.held(callersSigners);
  if (held.includes(facility.owner)) return facility.owner;
  if (held.length === 1) return held[0]!;
  if (held.length === 0) {
    throw ApiError.unprocessable(
      "NO_SIGNER_FOR_CALLER",
      `This service holds no key for the caller's principals that may act for facility ${facility.id}; sign the transaction from the wallet instead.`,
      { facilityId: facility.id, principals: callersSigners },
    );
  }
  throw ApiError.badRequest(
    "ACTING_PRINCIPAL_REQUIRED",
    `The caller may sign for facility ${facility.id} as several principals this service holds: name one in actAs.`,
    { facilityId: facility.id, principals: held },
  );
}

function notAuthorizedForFacility(facility: FacilitySigners, principal?: string): ApiError {
  const who = principal ?? "No principal of the caller";
  return ApiError.forbidden(
    "FACILITY_NOT_AUTHORIZED",
    `${who} is neither the owner of facility ${facility.id} nor an operator the registry enabled for it.`,
    { facilityId: facility.id, principal: principal ?? null, owner: facility.owner },
  );
}
