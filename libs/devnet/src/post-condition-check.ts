// Post-conditions checked against the assets a call actually moved, with the
// node's rules: each condition compares what its principal sent of its asset;
// in Deny mode every movement must be covered by a condition on that principal
// and asset; in Originator mode only the origin's movements must be covered.
// The transaction fee is not a movement.
import { cvToHex, type PostCondition } from "@stacks/transactions";
import type { SimnetEvent } from "./simnet-session.js";

export interface PostConditionVerdict {
  ok: boolean;
  /** Why the transaction aborted, for the API's vm_error. */
  reason?: string;
}

interface Movements {
  fungibleSent: Map<string, bigint>;
  nonFungibleSent: Set<string>;
}

const STX = "STX";

function fungibleKey(principal: string, asset: string): string {
  return `${principal}|${asset}`;
}

function eventValueHex(data: SimnetEvent["data"]): string {
  if (typeof data.raw_value === "string")
    return data.raw_value.startsWith("0x") ? data.raw_value : `0x${data.raw_value}`;
  return data.value ? cvToHex(data.value as Parameters<typeof cvToHex>[0]) : "";
}

function collectMovements(events: SimnetEvent[]): Movements {
  const fungibleSent = new Map<string, bigint>();
  const nonFungibleSent = new Set<string>();
  const addFungible = (principal: string, asset: string, amount: unknown) => {
    const key = fungibleKey(principal, asset);
    fungibleSent.set(key, (fungibleSent.get(key) ?? 0n) + BigInt(String(amount)));
  };
  for (const { event, data } of events) {
    switch (event) {
      case "stx_transfer_event":
      case "stx_burn_event":
        addFungible(String(data.sender), STX, data.amount);
        break;
      case "ft_transfer_event":
      case "ft_burn_event":
        addFungible(String(data.sender), String(data.asset_identifier), data.amount);
        break;
      case "nft_transfer_event":
      case "nft_burn_event":
        nonFungibleSent.add(`${String(data.sender)}|${String(data.asset_identifier)}|${eventValueHex(data)}`);
        break;
      default:
        break;
    }
  }
  return { fungibleSent, nonFungibleSent };
}

function compare(sent: bigint, condition: string, amount: bigint): boolean {
  switch (condition) {
    case "eq":
      return sent === amount;
    case "gt":
      return sent > amount;
    case "gte":
      return sent >= amount;
    case "lt":
      return sent < amount;
    case "lte":
      return sent <= amount;
    default:
      return false;
  }
}

export function checkPostConditions(
  postConditions: PostCondition[],
  mode: "allow" | "deny" | "originator",
  origin: string,
  events: SimnetEvent[],
): PostConditionVerdict {
  const { fungibleSent, nonFungibleSent } = collectMovements(events);
  const covered = new Set<string>();
  for (const pc of postConditions) {
    const principal = pc.address === "origin" ? origin : pc.address;
    if (pc.type === "stx-postcondition" || pc.type === "ft-postcondition") {
      const asset = pc.type === "stx-postcondition" ? STX : pc.asset;
      const key = fungibleKey(principal, asset);
      covered.add(key);
      const sent = fungibleSent.get(key) ?? 0n;
      if (!compare(sent, pc.condition, BigInt(pc.amount))) {
        return {
          ok: false,
          reason: `post-condition failed: ${principal} sent ${sent} ${asset}, condition ${pc.condition} ${pc.amount}`,
        };
      }
    } else if (pc.type === "nft-postcondition") {
      const key = `${principal}|${pc.asset}|${cvToHex(pc.assetId)}`;
      covered.add(key);
      const sent = nonFungibleSent.has(key);
      if ((pc.condition === "sent" && !sent) || (pc.condition === "not-sent" && sent)) {
        return {
          ok: false,
          reason: `post-condition failed: ${principal} ${sent ? "sent" : "did not send"} ${pc.asset} ${cvToHex(pc.assetId)}`,
        };
      }
    }
  }
  if (mode === "allow") return { ok: true };
  const mustCover = (principal: string) => mode === "deny" || principal === origin;
  for (const [key, amount] of fungibleSent) {
    const principal = key.slice(0, key.indexOf("|"));
    if (amount > 0n && mustCover(principal) && !covered.has(key)) {
      return {
        ok: false,
        reason: `post-condition mode ${mode}: ${principal} sent ${amount} ${key.slice(principal.length + 1)} without a post-condition`,
      };
    }
  }
  for (const key of nonFungibleSent) {
    const principal = key.slice(0, key.indexOf("|"));
    if (mustCover(principal) && !covered.has(key)) {
      return { ok: false, reason: `post-condition mode ${mode}: ${principal} sent an NFT without a post-condition` };
    }
  }
  return { ok: true };
}
