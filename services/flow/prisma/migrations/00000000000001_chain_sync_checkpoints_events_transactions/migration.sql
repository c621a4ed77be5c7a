-- CreateTable
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
