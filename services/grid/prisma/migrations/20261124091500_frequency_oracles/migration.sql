-- CreateTable
CREATE TABLE "frequency_oracles" (
    "oracle" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "last_txid" TEXT NOT NULL,
    "last_height" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "frequency_oracles_pkey" PRIMARY KEY ("oracle")
);
