-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "discard_reason" TEXT,
ADD COLUMN     "discarded_at" TIMESTAMPTZ(3),
ADD COLUMN     "discarded_by" TEXT;
