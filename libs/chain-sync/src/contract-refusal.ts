import { ApiError } from "@voltstack/service-kit";
import type { ContractErrorStatuses } from "./chain-write-errors.js";

/**
 * A refusal decided from the read model before anything is signed, answered as the
 * contract would answer it: its error constant as the code and that constant's status
 * in the service's table, so a client sees one code whichever layer refuses. `details`
 * carries the figures behind it (asked, available, status, ...).
 */
export function contractRefusal<Statuses extends ContractErrorStatuses>(
  statuses: Statuses,
  code: keyof Statuses & string,
  message: string,
  details: Record<string, unknown>,
): ApiError {
  return new ApiError(statuses[code] ?? 409, code, message, details);
}
