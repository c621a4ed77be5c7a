-- Distributions in batches: what each fulfilment and each program settlement still owes
-- (recorded with the event's inbox entry), and the batch transactions that pay it.

-- Where a distribution's money came from ("pool": out of the facility's pool; otherwise the
-- payer's own, e.g. a program's earnings), and the pool left after it (NULL when not from a pool).
ALTER TABLE "revenue_distributions" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'pool';
ALTER TABLE "revenue_distributions" ADD COLUMN "pool_after_ustx" BIGINT;
-- Every distribution before this migration paid a whole pool out.
UPDATE "revenue_distributions" SET "pool_after_ustx" = 0;
ALTER TABLE "revenue_payments" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'pool';

-- A fulfilment's intent is now paid by a batch; one still "sending" is due again.
ALTER TABLE "distribution_intents" ADD COLUMN "batch_id" UUID;
UPDATE "distribution_intents" SET "status" = 'due' WHERE "status" = 'sending';

-- CreateTable
CREATE TABLE "earning_intents" (
    "program_id" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "slot" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "amount_ustx" BIGINT NOT NULL,
    "event_id" TEXT NOT NULL,
    "settlement_txid" TEXT NOT NULL,
    "settlement_height" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "batch_id" UUID,
    "distribution_txid" TEXT,
    "error_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "earning_intents_pkey" PRIMARY KEY ("program_id","cohort","period","slot")
);

-- CreateTable
CREATE TABLE "distribution_batches" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "program_id" INTEGER,
    "cohort" INTEGER,
    "signer" TEXT NOT NULL,
    "lines" JSONB NOT NULL,
    "total_ustx" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "txid" TEXT,
    "block_height" INTEGER,
    "error_code" TEXT,
    "error_message" TEXT,
    "claimed_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "distribution_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "distribution_intents_batch_id_idx" ON "distribution_intents"("batch_id");

-- CreateIndex
CREATE INDEX "distribution_intents_facility_id_status_idx" ON "distribution_intents"("facility_id", "status");

-- CreateIndex
CREATE INDEX "earning_intents_status_program_id_cohort_idx" ON "earning_intents"("status", "program_id", "cohort");

-- CreateIndex
CREATE INDEX "earning_intents_batch_id_idx" ON "earning_intents"("batch_id");

-- CreateIndex
CREATE INDEX "earning_intents_facility_id_status_idx" ON "earning_intents"("facility_id", "status");

-- CreateIndex
CREATE INDEX "distribution_batches_status_claimed_until_idx" ON "distribution_batches"("status", "claimed_until");
