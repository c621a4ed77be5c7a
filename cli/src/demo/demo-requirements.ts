import type { LocalCredential } from "@voltstack/local-stack";
import { DEMO_PAYMENT_USTX } from "./run-demo.js";
import { stxBalance } from "./stx-balances.js";

/** Enough for the few transactions each account signs, at fees up to the default ceiling (1 STX). */
export const DEMO_FEE_RESERVE_USTX = 3_000_000n;

/** Who the demo acts as: an admin posts the escrowed request, two owners register facilities. */
export const DEMO_CALLERS = ["admin", "owner-1", "owner-2"] as const;

export interface DemoAccountShortfall {
  caller: string;
  principal: string;
  balanceUstx: bigint;
  neededUstx: bigint;
}

/**
 * What the demo needs of the running system before it sends anything: the callers admin,
 * owner-1 and owner-2 with their roles, three stakeholders, and STX on the callers' accounts
 * (the admin escrows the request's payment). Answers what is missing as sentences, or
 * nothing; on the local devnet every account is funded, elsewhere the operator funds them.
 */
export async function demoRequirements(
  nodeUrl: string,
  credentials: readonly LocalCredential[],
  stakeholders: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  const roles: Record<(typeof DEMO_CALLERS)[number], string> = {
    admin: "admin",
    "owner-1": "owner",
    "owner-2": "owner",
  };
  const callers = DEMO_CALLERS.flatMap((name) => {
    const credential = credentials.find((candidate) => candidate.name === name);
    if (!credential || credential.role !== roles[name]) {
      problems.push(`a caller named ${name} with role ${roles[name]} (VOLTSTACK_CALLERS)`);
      return [];
    }
    return [credential];
  });
  if (stakeholders.length < 3) problems.push("three stakeholder addresses (VOLTSTACK_STAKEHOLDERS)");
  const owners = new Set(callers.filter((caller) => caller.role === "owner").map((caller) => caller.principal));
  if (callers.length === DEMO_CALLERS.length && owners.size < 2) problems.push("two different owner principals");
  if (problems.length > 0) return [`The demo needs ${problems.join(", ")}.`];

  const shortfalls: DemoAccountShortfall[] = [];
  for (const caller of callers) {
    const neededUstx = DEMO_FEE_RESERVE_USTX + (caller.role === "admin" ? DEMO_PAYMENT_USTX : 0n);
    const balanceUstx = await stxBalance(nodeUrl, caller.principal);
    if (balanceUstx < neededUstx)
      shortfalls.push({ caller: caller.name, principal: caller.principal, balanceUstx, neededUstx });
  }
  return shortfalls.map(
    ({ caller, principal, balanceUstx, neededUstx }) =>
      `${caller} (${principal}) holds ${balanceUstx} µSTX and needs at least ${neededUstx} µSTX: fund it ` +
      "(testnet: the faucet) and run the demo again.",
  );
}
