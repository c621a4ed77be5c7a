-- CreateTable
CREATE TABLE "facilities" (
    "id" INTEGER NOT NULL,
    "owner" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "capacity_kwh" BIGINT NOT NULL,
    "max_power_kw" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "rejection_reason" TEXT,
    "registered_txid" TEXT NOT NULL,
    "registered_height" INTEGER NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "facilities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "facility_operators" (
    "facility_id" INTEGER NOT NULL,
    "operator" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "facility_operators_pkey" PRIMARY KEY ("facility_id","operator")
);

-- CreateIndex
CREATE INDEX "facilities_status_id_idx" ON "facilities"("status", "id");

-- CreateIndex
CREATE INDEX "facilities_owner_id_idx" ON "facilities"("owner", "id");

-- AddForeignKey
ALTER TABLE "facility_operators" ADD CONSTRAINT "facility_operators_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE CASCADE ON UPDATE CASCADE;
