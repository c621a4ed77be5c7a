-- The trace of the event that made each payout owed, and of the payouts a batch pays: the
-- batch's transaction is sent in the trace of its first payout's request (linked to the
-- others), so one trace id shows a request through the chain and every service to its payout.
ALTER TABLE "distribution_intents" ADD COLUMN "traceparent" TEXT;
ALTER TABLE "earning_intents" ADD COLUMN "traceparent" TEXT;
ALTER TABLE "distribution_batches" ADD COLUMN "traceparents" TEXT[] NOT NULL DEFAULT '{}';
