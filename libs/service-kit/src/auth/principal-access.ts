import { ApiError } from "../errors/api-error.js";
import type { Caller } from "./roles.js";

export function mayActFor(caller: Caller | undefined, principal: string): boolean {
  return caller !== undefined && caller.principals.includes(principal);
}

/** For principals a handler learns itself (e.g. a facility's owner read from the database). */
export function assertMayActFor(caller: Caller | undefined, principal: string): void {
  if (!mayActFor(caller, principal)) {
    throw ApiError.forbidden("PRINCIPAL_NOT_ALLOWED", `The caller may not act for ${principal}.`, { principal });
  }
}
