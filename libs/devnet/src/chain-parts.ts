// The parts a DevnetChain is composed of, which mining and forks both work on.
import type { AccountLedger } from "./account-ledger.js";
import type { BlockIndex } from "./block-index.js";
import type { ChainLog } from "./chain-log.js";
import type { CommittedBlocks } from "./committed-blocks.js";
import type { Mempool } from "./mempool.js";
import type { SimnetHost } from "./simnet-host.js";
import type { TransactionHistory } from "./transaction-history.js";

export interface ChainParts {
  host: SimnetHost;
  blocks: BlockIndex;
  history: TransactionHistory;
  ledger: AccountLedger;
  mempool: Mempool;
  committed: CommittedBlocks;
  log: ChainLog | undefined;
}
