import { z } from "zod";

// c32 (Crockford base32 without I, L, O, U) standard principal, optionally a contract.
const PRINCIPAL = /^S[0-9A-HJKMNP-TV-Z]{38,40}(\.[a-zA-Z][a-zA-Z0-9-]{0,127})?$/;

/** A Stacks principal sent to a service: in a body, a path, a query or a caller's claims. */
export const stacksPrincipal = z
  .string()
  .regex(PRINCIPAL, { error: "must be a Stacks principal (S... address, optionally .contract-name)" });
