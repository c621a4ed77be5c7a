// The devnet's chain on disk: one JSON line per block that carried
// transactions (raw transaction hex and how each ended when it did not run),
// a line per fork (the blocks it orphaned; later lines are the new branch),
// the tip height in its own small file so empty blocks need no lines, and the
// mempool's accepted transactions so a restart does not lose pending work.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "smol-toml";

export interface LoggedAbort {
  status: "abort_by_post_condition" | "abort_by_response";
  resultHex: string | null;
  vmError: string;
}

export interface LoggedTransaction {
  hex: string;
  /** Set when only the fee was charged: the payload aborted and left no trace. */
  abort?: LoggedAbort;
}

export interface LoggedBlock {
  height: number;
  time: number;
  burnHeight: number;
  txs: LoggedTransaction[];
}

/** A block a fork orphaned, as the API keeps serving it (by hash, canonical: false). */
export interface LoggedOrphanedBlock {
  height: number;
  hash: string;
  parentHash: string;
  time: number;
  burnHeight: number;
  /** Without 0x. */
  txids: string[];
}

export interface LoggedFork {
  /** The first orphaned height: every block from here up was orphaned. */
  height: number;
  time: number;
  orphaned: LoggedOrphanedBlock[];
}

export interface LoggedChain {
  /** The canonical chain's blocks with transactions, forks applied. */
  blocks: LoggedBlock[];
  /** Every fork, oldest first. */
  forks: LoggedFork[];
}

export interface LoggedTip {
  height: number;
  time: number;
}

const BLOCKS_FILE = "blocks.jsonl";
const GENESIS_FILE = "genesis.json";
const TIP_FILE = "tip.json";
const MEMPOOL_FILE = "mempool.jsonl";

function readLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  const parsed: T[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      parsed.push(JSON.parse(line) as T);
    } catch (error) {
      // A torn last line is what a crash mid-append leaves; anything earlier is corruption.
      if (index >= lines.length - 2) break;
      throw new Error(`CHAIN_LOG_CORRUPT: ${path} line ${index + 1} is not JSON`, { cause: error });
    }
  }
  return parsed;
}

/** A hash of the manifest, every contract it deploys and the funded accounts. */
export function projectFingerprint(manifestPath: string): string {
  const root = dirname(manifestPath);
  const manifestText = readFileSync(manifestPath, "utf8");
  const manifest = parse(manifestText) as { contracts?: Record<string, { path?: string }> };
  const hash = createHash("sha256").update(manifestText);
  for (const [name, contract] of Object.entries(manifest.contracts ?? {})) {
    hash.update(`\n${name}\n`);
    if (contract.path) hash.update(readFileSync(join(root, contract.path)));
  }
  const settings = join(root, "settings", "Devnet.toml");
  if (existsSync(settings)) hash.update(readFileSync(settings));
  return hash.digest("hex");
}

export class ChainLog {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * The log is append-only: a fork line drops the blocks at and above its height
   * from the chain read so far, and the new branch's blocks follow it, so the
   * last branch written is the one a restart comes back on.
   */
  readChain(): LoggedChain {
    const blocks: LoggedBlock[] = [];
    const forks: LoggedFork[] = [];
    for (const line of readLines<LoggedBlock | { fork: LoggedFork }>(join(this.dir, BLOCKS_FILE))) {
      if ("fork" in line) {
        forks.push(line.fork);
        while (blocks.length > 0 && blocks[blocks.length - 1]!.height >= line.fork.height) blocks.pop();
      } else {
        blocks.push(line);
      }
    }
    return { blocks, forks };
  }

  readTip(): LoggedTip | undefined {
    const path = join(this.dir, TIP_FILE);
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, "utf8")) as LoggedTip;
  }

  /**
   * Ties the data directory to the contracts it was written with: replaying a
   * log against changed contracts would silently give a different chain.
   */
  checkGenesis(fingerprint: string): void {
    const path = join(this.dir, GENESIS_FILE);
    if (existsSync(path)) {
      const written = (JSON.parse(readFileSync(path, "utf8")) as { contracts: string }).contracts;
      if (written !== fingerprint) {
        throw new Error(
          `DEVNET_DATA_INCOMPATIBLE: the chain in ${this.dir} was written with other contracts; delete the directory to start from genesis`,
        );
      }
      return;
    }
    writeFileSync(path, JSON.stringify({ contracts: fingerprint }));
  }

  readMempool(): string[] {
    return readLines<{ hex: string }>(join(this.dir, MEMPOOL_FILE)).map((entry) => entry.hex);
  }

  appendBlock(block: LoggedBlock): void {
    appendFileSync(join(this.dir, BLOCKS_FILE), `${JSON.stringify(block)}\n`);
  }

  appendFork(fork: LoggedFork): void {
    appendFileSync(join(this.dir, BLOCKS_FILE), `${JSON.stringify({ fork })}\n`);
  }

  writeTip(tip: LoggedTip): void {
    const path = join(this.dir, TIP_FILE);
    writeFileSync(`${path}.tmp`, JSON.stringify(tip));
    renameSync(`${path}.tmp`, path);
  }

  appendMempool(hex: string): void {
    appendFileSync(join(this.dir, MEMPOOL_FILE), `${JSON.stringify({ hex })}\n`);
  }

  rewriteMempool(hexes: string[]): void {
    const path = join(this.dir, MEMPOOL_FILE);
    writeFileSync(`${path}.tmp`, hexes.map((hex) => `${JSON.stringify({ hex })}\n`).join(""));
    renameSync(`${path}.tmp`, path);
  }
}
