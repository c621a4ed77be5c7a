// Forks: the devnet's stand-in for a Bitcoin reorganisation, the only thing
// that orphans Stacks blocks on the real chain. The shapes shared by
// Devnet.fork, POST /devnet/fork and devnetControl(url).fork, and the checks
// on a request that do not need the chain.

export interface ForkOptions {
  /** How many blocks at the tip are orphaned (at least 1). */
  depth: number;
  /**
   * Which of the orphaned blocks' transactions the new branch mines again:
   * "all", "none" (the default) or a list of txids (with or without 0x).
   * The others go back to the mempool, where the next block picks them up.
   */
  keep?: "all" | "none" | string[];
  /** Length of the new branch; default depth + 1, and it must be longer than the orphaned one. */
  blocks?: number;
}

export interface ForkResult {
  /** The orphaned blocks, oldest first; txids 0x-prefixed. */
  orphaned: { height: number; hash: string; txids: string[] }[];
  newTip: { height: number; hash: string };
  /** Orphaned transactions mined again in the new branch's first block. */
  reincluded: string[];
  /** Orphaned transactions back in the mempool as pending. */
  returnedToMempool: string[];
  /** Orphaned transactions neither mined again nor pending (refused on the new branch). */
  dropped: string[];
}

/** A fork request the devnet cannot honour; answered 400 over HTTP. */
export class ForkError extends Error {}

/** Caps a mistyped length before it mines for minutes. */
const MAX_BRANCH_BLOCKS = 10_000;

const TXID = /^(0x)?[0-9a-fA-F]{64}$/;

export interface CheckedForkOptions {
  depth: number;
  /** Normalised txids (lowercase, no 0x), or "all". */
  keep: "all" | Set<string>;
  blocks: number;
}

/** Validates a fork request's shape (from a test or an HTTP body). */
export function checkForkOptions(raw: unknown): CheckedForkOptions {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ForkError("fork options must be an object {depth, keep?, blocks?}");
  const { depth, keep, blocks, ...rest } = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw new ForkError(`unknown fork option ${unknownKeys.join(", ")}`);
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 1)
    throw new ForkError("depth must be an integer >= 1");
  const length = blocks ?? depth + 1;
  // The API takes a competing block as canonical only when it is higher than its
  // chain tip (PgWriteStore.update: block_height > chainTip.block_height, then
  // handleReorg), so a branch that is not longer would never show in /extended.
  if (typeof length !== "number" || !Number.isInteger(length) || length <= depth || length > MAX_BRANCH_BLOCKS)
    throw new ForkError(`blocks must be an integer from depth + 1 (${depth + 1}) to ${MAX_BRANCH_BLOCKS}`);
  let kept: "all" | Set<string>;
  if (keep === undefined || keep === "none") kept = new Set();
  else if (keep === "all") kept = "all";
  else if (Array.isArray(keep) && keep.every((txid) => typeof txid === "string" && TXID.test(txid)))
    kept = new Set(keep.map((txid: string) => txid.replace(/^0x/i, "").toLowerCase()));
  else throw new ForkError('keep must be "all", "none" or an array of txids');
  return { depth, keep: kept, blocks: length };
}
