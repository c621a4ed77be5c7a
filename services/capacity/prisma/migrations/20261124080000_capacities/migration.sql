-- CreateTable
CREATE TABLE "approved_facilities" (
    "id" INTEGER NOT NULL,
    "owner" TEXT NOT NULL,
    "capacity_kwh" BIGINT NOT NULL,
    "approved_txid" TEXT NOT NULL,
    "approved_height" INTEGER NOT NULL,
    "approved_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "approved_facilities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "capacities" (
    "facility_id" INTEGER NOT NULL,
    "total_kwh" BIGINT NOT NULL,
    "stored_kwh" BIGINT NOT NULL,
    "reserved_kwh" BIGINT NOT NULL,
    "available_kwh" BIGINT NOT NULL,
    "last_reason" TEXT NOT NULL,
    "initialized_txid" TEXT,
    "initialized_height" INTEGER,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "capacities_pkey" PRIMARY KEY ("facility_id")
);

-- CreateTable
CREATE TABLE "readings" (
    "id" UUID NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "stored_kwh" BIGINT NOT NULL,
    "measured_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requested_by" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "detail" TEXT,
    "txid" TEXT,
    "block_height" INTEGER,

    CONSTRAINT "readings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "approved_facilities_owner_id_idx" ON "approved_facilities"("owner", "id");

-- CreateIndex
CREATE INDEX "readings_facility_id_received_at_idx" ON "readings"("facility_id", "received_at");
