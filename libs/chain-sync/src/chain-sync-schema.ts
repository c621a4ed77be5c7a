import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The folder name of this library's migration in a service's prisma/migrations; sorts after the messaging tables. */
export const CHAIN_SYNC_MIGRATION_NAME = "00000000000001_chain_sync_checkpoints_events_transactions";

/**
 * The follower checkpoints (height and hash of the last block read, so a chain that
 * changed underneath is noticed), the ledger of events published from chain facts and
 * the chain-transaction journal, as Prisma would write the migration for
 * CHAIN_SYNC_PRISMA_MODELS. Names are unqualified: it runs in the service's schema.
 */
export const CHAIN_SYNC_MIGRATION_SQL = `-- CreateTable
CREATE TABLE "chain_checkpoints" (
    "follower_id" TEXT NOT NULL,
    "height" INTEGER NOT NULL,
    "block_hash" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_checkpoints_pkey" PRIMARY KEY ("follower_id")
);

-- CreateTable
CREATE TABLE "chain_events" (
    "event_id" UUID NOT NULL,
    "follower_id" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "event_index" INTEGER NOT NULL,
    "block_height" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "chain_transactions" (
    "id" UUID NOT NULL,
    "txid" TEXT,
    "requested_by" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "nonce" BIGINT,
    "contract" TEXT NOT NULL,
    "function_name" TEXT NOT NULL,
    "arguments" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "block_height" INTEGER,
    "traceparent" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "chain_events_txid_event_index_idx" ON "chain_events"("txid", "event_index");

-- CreateIndex
CREATE UNIQUE INDEX "chain_transactions_txid_key" ON "chain_transactions"("txid");

-- CreateIndex
CREATE INDEX "chain_transactions_status_created_at_idx" ON "chain_transactions"("status", "created_at");
`;

/** The folder name of the migration that adds the followed-events ledger. */
export const CHAIN_SYNC_LEDGER_MIGRATION_NAME = "00000000000002_chain_sync_followed_events";

/**
 * The print events a follower applied, where each sat on the chain: the follower stops
 * reading the contract's log (newest first) at the first event it finds here, and an
 * applied event that the API no longer lists, or lists elsewhere, marks a fork to rewind.
 */
export const CHAIN_SYNC_LEDGER_MIGRATION_SQL = `-- CreateTable
CREATE TABLE "chain_followed_events" (
    "follower_id" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "event_index" INTEGER NOT NULL,
    "block_height" INTEGER NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "block_hash" TEXT NOT NULL,

    CONSTRAINT "chain_followed_events_pkey" PRIMARY KEY ("follower_id","txid","event_index")
);

-- CreateIndex
CREATE INDEX "chain_followed_events_follower_id_block_height_idx" ON "chain_followed_events"("follower_id", "block_height");
`;

/** The models matching CHAIN_SYNC_MIGRATION_SQL, to paste into a service's schema.prisma. */
export const CHAIN_SYNC_PRISMA_MODELS = `model ChainCheckpoint {
  followerId String   @id @map("follower_id")
  height     Int
  blockHash  String?  @map("block_hash")
  updatedAt  DateTime @default(now()) @map("updated_at") @db.Timestamptz(3)

  @@map("chain_checkpoints")
}

model ChainEvent {
  eventId     String   @id @map("event_id") @db.Uuid
  followerId  String   @map("follower_id")
  txid        String
  eventIndex  Int      @map("event_index")
  blockHeight Int      @map("block_height")
  subject     String
  recordedAt  DateTime @default(now()) @map("recorded_at") @db.Timestamptz(3)

  @@index([txid, eventIndex])
  @@map("chain_events")
}

model ChainTransaction {
  id           String   @id @db.Uuid
  txid         String?  @unique
  requestedBy  String   @map("requested_by")
  sender       String
  nonce        BigInt?
  contract     String
  functionName String   @map("function_name")
  arguments    Json
  status       String
  errorCode    String?  @map("error_code")
  errorMessage String?  @map("error_message")
  blockHeight  Int?     @map("block_height")
  traceparent  String?
  createdAt    DateTime @default(now()) @map("created_at") @db.Timestamptz(3)
  updatedAt    DateTime @default(now()) @map("updated_at") @db.Timestamptz(3)

  @@index([status, createdAt])
  @@map("chain_transactions")
}

model ChainFollowedEvent {
  followerId  String @map("follower_id")
  txid        String
  eventIndex  Int    @map("event_index")
  blockHeight Int    @map("block_height")
  txIndex     Int    @map("tx_index")
  blockHash   String @map("block_hash")

  @@id([followerId, txid, eventIndex])
  @@index([followerId, blockHeight])
  @@map("chain_followed_events")
}
`;

/** Writes the migration into a service's Prisma migrations folder and returns its path. */
export async function writeChainSyncMigration(migrationsDir: string): Promise<string> {
  const folder = join(migrationsDir, CHAIN_SYNC_MIGRATION_NAME);
  await mkdir(folder, { recursive: true });
  const file = join(folder, "migration.sql");
  await writeFile(file, CHAIN_SYNC_MIGRATION_SQL);
  const ledger = join(migrationsDir, CHAIN_SYNC_LEDGER_MIGRATION_NAME);
  await mkdir(ledger, { recursive: true });
  await writeFile(join(ledger, "migration.sql"), CHAIN_SYNC_LEDGER_MIGRATION_SQL);
  return file;
}
