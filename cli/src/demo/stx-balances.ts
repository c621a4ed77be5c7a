/** STX balances as the chain's node reports them (`/v2/accounts`), in micro-STX. */
export async function stxBalance(nodeUrl: string, principal: string): Promise<bigint> {
  const response = await fetch(new URL(`/v2/accounts/${principal}?proof=0`, nodeUrl));
  if (!response.ok) throw new Error(`The node answered ${response.status} for the balance of ${principal}.`);
  const { balance } = (await response.json()) as { balance: string };
  return BigInt(balance);
}

export async function stxBalances(nodeUrl: string, principals: readonly string[]): Promise<Map<string, bigint>> {
  const entries = await Promise.all(
    principals.map(async (principal) => [principal, await stxBalance(nodeUrl, principal)] as const),
  );
  return new Map(entries);
}

/** The chain's current height, from which the demo's request expiry is set. */
export async function tipHeight(nodeUrl: string): Promise<number> {
  const response = await fetch(new URL("/v2/info", nodeUrl));
  if (!response.ok) throw new Error(`The node answered ${response.status} for /v2/info.`);
  return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
}
