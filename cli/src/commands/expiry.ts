import type { SyncStatus, VoltstackClient } from "@voltstack/client";
import { CliUsageError } from "../stack-file.js";

export interface RequestExpiry {
  expiresAt: number;
  /** How a duration became a height, for people; absent for an explicit height. */
  explanation?: string;
}

/**
 * The block a request expires at: `--expires-at <height>` as given, or `--expires-in <minutes>`
 * as the chain's tip plus the blocks those minutes hold at the chain's mean block interval
 * (measured by the grid service over the last blocks), rounded up so the request lasts at
 * least that long while blocks keep their pace.
 */
export async function expiryHeight(
  client: Pick<VoltstackClient, "syncStatus">,
  flags: Record<string, string | boolean | undefined>,
): Promise<RequestExpiry> {
  const at = flags["expires-at"];
  const minutes = flags["expires-in"];
  if ((at === undefined) === (minutes === undefined)) {
    throw new CliUsageError(
      "MISSING_ARGUMENT",
      "Give either --expires-in <minutes> or --expires-at <block height> (`voltstack status` shows the tip).",
    );
  }
  if (at !== undefined) return { expiresAt: wholeNumber(at, "--expires-at") };
  const duration = wholeNumber(minutes, "--expires-in");
  if (duration === 0) throw new CliUsageError("INVALID_ARGUMENT", "--expires-in must be at least 1 minute.");
  return blocksAhead(await client.syncStatus("grid"), duration);
}

export function blocksAhead(status: Pick<SyncStatus, "tipHeight" | "secondsPerBlock">, minutes: number): RequestExpiry {
  const { tipHeight, secondsPerBlock } = status;
  if (secondsPerBlock === null || secondsPerBlock <= 0) {
    throw new CliUsageError(
      "BLOCK_INTERVAL_UNKNOWN",
      `The chain's block interval is not known yet (tip ${tipHeight}); give --expires-at <block height> instead.`,
    );
  }
  const blocks = Math.ceil((minutes * 60) / secondsPerBlock);
  return {
    expiresAt: tipHeight + blocks,
    explanation: `tip ${tipHeight} + ${blocks} blocks: ${minutes} min at a block every ${secondsPerBlock} s`,
  };
}

function wholeNumber(value: string | boolean | undefined, what: string): number {
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliUsageError("INVALID_ARGUMENT", `${what} must be a whole number, got ${String(value ?? "nothing")}.`);
  }
  return Number(value);
}
