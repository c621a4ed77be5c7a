-- CreateTable
CREATE TABLE "revenue_pools" (
    "facility_id" INTEGER NOT NULL,
    "balance_ustx" BIGINT NOT NULL DEFAULT 0,
    "shares_version" INTEGER NOT NULL DEFAULT 0,
    "deposited_ustx" BIGINT NOT NULL DEFAULT 0,
    "distributed_ustx" BIGINT NOT NULL DEFAULT 0,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revenue_pools_pkey" PRIMARY KEY ("facility_id")
);

-- CreateTable
CREATE TABLE "stakeholder_shares" (
    "facility_id" INTEGER NOT NULL,
    "shares_version" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "stakeholder" TEXT NOT NULL,
    "share_bps" INTEGER NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,

    CONSTRAINT "stakeholder_shares_pkey" PRIMARY KEY ("facility_id","shares_version","position")
);

-- CreateTable
CREATE TABLE "revenue_deposits" (
    "deposit_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "amount_ustx" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "depositor" TEXT NOT NULL,
    "pool_balance_ustx" BIGINT NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "deposited_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revenue_deposits_pkey" PRIMARY KEY ("deposit_id")
);

-- CreateTable
CREATE TABLE "revenue_distributions" (
    "distribution_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "amount_ustx" BIGINT NOT NULL,
    "shares_version" INTEGER NOT NULL,
    "first_payment_id" INTEGER NOT NULL,
    "payment_count" INTEGER NOT NULL,
    "distributed_by" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,
    "tx_index" INTEGER NOT NULL,
    "distributed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revenue_distributions_pkey" PRIMARY KEY ("distribution_id")
);

-- CreateTable
CREATE TABLE "revenue_payments" (
    "payment_id" INTEGER NOT NULL,
    "distribution_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "stakeholder" TEXT NOT NULL,
    "share_bps" INTEGER NOT NULL,
    "amount_ustx" BIGINT NOT NULL,
    "txid" TEXT NOT NULL,
    "block_height" INTEGER NOT NULL,
    "paid_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revenue_payments_pkey" PRIMARY KEY ("payment_id")
);

-- CreateTable
CREATE TABLE "distribution_intents" (
    "request_id" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "fulfilment_txid" TEXT NOT NULL,
    "fulfilment_height" INTEGER NOT NULL,
    "payout_ustx" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "distribution_txid" TEXT,
    "distribution_id" INTEGER,
    "error_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "distribution_intents_pkey" PRIMARY KEY ("request_id")
);

-- CreateIndex
CREATE INDEX "revenue_deposits_txid_idx" ON "revenue_deposits"("txid");

-- CreateIndex
CREATE INDEX "revenue_deposits_facility_id_deposit_id_idx" ON "revenue_deposits"("facility_id", "deposit_id");

-- CreateIndex
CREATE INDEX "revenue_distributions_facility_id_block_height_tx_index_idx" ON "revenue_distributions"("facility_id", "block_height", "tx_index");

-- CreateIndex
CREATE INDEX "revenue_payments_distribution_id_idx" ON "revenue_payments"("distribution_id");

-- CreateIndex
CREATE INDEX "revenue_payments_facility_id_payment_id_idx" ON "revenue_payments"("facility_id", "payment_id");

-- CreateIndex
CREATE INDEX "revenue_payments_stakeholder_payment_id_idx" ON "revenue_payments"("stakeholder", "payment_id");

-- CreateIndex
CREATE INDEX "distribution_intents_status_created_at_idx" ON "distribution_intents"("status", "created_at");
