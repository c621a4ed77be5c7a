import type { HasDevnet } from "./transaction-outcome.js";

/** A principal's STX balance, micro-STX, from the devnet's balance endpoint. */
export async function balanceOf(harness: HasDevnet, principal: string): Promise<bigint> {
  const response = await fetch(`${harness.devnet.url}/extended/v1/address/${principal}/stx`);
  return BigInt(((await response.json()) as { balance: string }).balance);
}
