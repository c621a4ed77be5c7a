-- CreateTable
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
