import { CHAIN_WRITE_REFUSALS, FACILITY_SIGNER_REFUSALS } from "@voltstack/chain-sync";
import { type Refusals } from "@voltstack/service-kit";
import { STATUS_BY_CONTRACT_ERROR } from "./chain-write-errors.js";

/** What a grid-services write can be refused with: the chain's refusals and the contract's constants. */
export const GRID_WRITE_REFUSALS: readonly Refusals[] = [CHAIN_WRITE_REFUSALS, STATUS_BY_CONTRACT_ERROR];

/** A write signed for a facility (as its owner or an operator) adds the facility's own refusals. */
export const FACILITY_WRITE_REFUSALS: readonly Refusals[] = [
  ...GRID_WRITE_REFUSALS,
  FACILITY_SIGNER_REFUSALS,
  { FACILITY_NOT_FOUND: 404 },
];
