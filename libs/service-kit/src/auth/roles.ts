import { z } from "zod";

export const ROLES = ["admin", "operator", "owner"] as const;
/** admin: runs the platform; operator: runs facilities for owners; owner: owns facilities. */
export type Role = (typeof ROLES)[number];

// c32 (Crockford base32 without I, L, O, U) standard principal, optionally a contract.
const PRINCIPAL = /^S[0-9A-HJKMNP-TV-Z]{38,40}(\.[a-zA-Z][a-zA-Z0-9-]{0,127})?$/;

export const stacksPrincipal = z
  .string()
  .regex(PRINCIPAL, { error: "must be a Stacks principal (S... address, optionally .contract-name)" });

/** Who is calling, established by the authentication guard. */
export interface Caller {
  /** API key name or JWT subject. */
  id: string;
  via: "api-key" | "jwt";
  roles: Role[];
  /** The Stacks principals this caller may act for; nothing else. */
  principals: string[];
}
