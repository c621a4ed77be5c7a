import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The folder name under which a service keeps this migration in its own
 * prisma/migrations. The timestamp sorts it before the service's own tables.
 */
export const MESSAGING_MIGRATION_NAME = "00000000000000_messaging_outbox_inbox_dead_letters";

/**
 * The outbox, inbox and dead-letter tables, as Prisma would write the
 * migration for MESSAGING_PRISMA_MODELS (same types, constraint and index
 * names), plus a statement trigger that wakes the outbox relay. Names are
 * unqualified: the migration runs in the service's schema (search_path).
 */
export const MESSAGING_MIGRATION_SQL = `-- CreateTable
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "traceparent" TEXT,
    "tracestate" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox" (
    "consumer" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" UUID NOT NULL,
    "consumer" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "stream" TEXT NOT NULL,
    "stream_seq" BIGINT NOT NULL,
    "payload" BYTEA NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "error_code" TEXT NOT NULL,
    "error_message" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(3),
    "replay_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_seq_key" ON "outbox"("seq");

-- CreateIndex
CREATE INDEX "outbox_sent_at_seq_idx" ON "outbox"("sent_at", "seq");

-- CreateIndex
CREATE INDEX "inbox_processed_at_idx" ON "inbox"("processed_at");

-- CreateIndex
CREATE INDEX "dead_letters_subject_failed_at_idx" ON "dead_letters"("subject", "failed_at");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_consumer_event_id_key" ON "dead_letters"("consumer", "event_id");

-- Wakes outbox relays (LISTEN "<schema>.outbox") when a transaction that wrote
-- outbox rows commits; PostgreSQL folds the notifications of one transaction.
CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
    FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
`;

/** The models matching MESSAGING_MIGRATION_SQL, to paste into a service's schema.prisma. */
export const MESSAGING_PRISMA_MODELS = `model OutboxEvent {
  id          String    @id @db.Uuid
  seq         BigInt    @unique @default(autoincrement())
  subject     String
  payload     Json
  headers     Json      @default("{}")
  traceparent String?
  tracestate  String?
  createdAt   DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)
  sentAt      DateTime? @map("sent_at") @db.Timestamptz(3)
  attempts    Int       @default(0)
  lastError   String?   @map("last_error")

  @@index([sentAt, seq])
  @@map("outbox")
}

model InboxEvent {
  consumer    String
  eventId     String   @map("event_id")
  subject     String
  processedAt DateTime @default(now()) @map("processed_at") @db.Timestamptz(3)

  @@id([consumer, eventId])
  @@index([processedAt])
  @@map("inbox")
}

model DeadLetter {
  id           String    @id @db.Uuid
  consumer     String
  eventId      String    @map("event_id")
  subject      String
  stream       String
  streamSeq    BigInt    @map("stream_seq")
  payload      Bytes
  headers      Json      @default("{}")
  errorCode    String    @map("error_code")
  errorMessage String    @map("error_message")
  deliveries   Int
  failedAt     DateTime  @default(now()) @map("failed_at") @db.Timestamptz(3)
  replayedAt   DateTime? @map("replayed_at") @db.Timestamptz(3)
  replayCount  Int       @default(0) @map("replay_count")
  discardedAt   DateTime? @map("discarded_at") @db.Timestamptz(3)
  discardReason String?   @map("discard_reason")
  discardedBy   String?   @map("discarded_by")

  @@unique([consumer, eventId])
  @@index([subject, failedAt])
  @@map("dead_letters")
}
`;

/**
 * The folder name of the migration that lets an operator discard a dead letter with a
 * reason kept; it follows the chain-sync migrations in every service.
 */
export const DEAD_LETTER_DISCARD_MIGRATION_NAME = "00000000000004_dead_letter_discard";

/** When, why and by whom a dead letter was discarded (all null while it is not). */
export const DEAD_LETTER_DISCARD_MIGRATION_SQL = `-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "discard_reason" TEXT,
ADD COLUMN     "discarded_at" TIMESTAMPTZ(3),
ADD COLUMN     "discarded_by" TEXT;
`;

/**
 * Writes the messaging migrations into a service's Prisma migrations folder (the tables
 * under MESSAGING_MIGRATION_NAME, the discard columns under DEAD_LETTER_DISCARD_MIGRATION_NAME)
 * and returns the path of the first, `<migrationsDir>/<MESSAGING_MIGRATION_NAME>/migration.sql`.
 */
export async function writeMessagingMigration(migrationsDir: string): Promise<string> {
  const folder = join(migrationsDir, MESSAGING_MIGRATION_NAME);
  await mkdir(folder, { recursive: true });
  const file = join(folder, "migration.sql");
  await writeFile(file, MESSAGING_MIGRATION_SQL);
  const discard = join(migrationsDir, DEAD_LETTER_DISCARD_MIGRATION_NAME);
  await mkdir(discard, { recursive: true });
  await writeFile(join(discard, "migration.sql"), DEAD_LETTER_DISCARD_MIGRATION_SQL);
  return file;
}

/** Quoted table names, qualified by a schema when one is given (else resolved through search_path). */
export type MessagingTables = { outbox: string; inbox: string; deadLetters: string; notifyChannel: string };

export function messagingTables(schema?: string): MessagingTables {
  const qualify = (table: string) => (schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table));
  return {
    outbox: qualify("outbox"),
    inbox: qualify("inbox"),
    deadLetters: qualify("dead_letters"),
    notifyChannel: `${schema ?? "public"}.outbox`,
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
