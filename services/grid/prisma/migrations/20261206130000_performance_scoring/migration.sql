-- Performance scored from telemetry: which programs are scored so (and how far), and each
-- facility's score per period with the inputs and series behind it, so an owner sees why.

-- A program listed here has its performances computed from telemetry at the end of each period
-- instead of posted by an admin or oracle; next_period is the first period not yet scored.
CREATE TABLE "program_scoring" (
    "program_id" INTEGER NOT NULL,
    "containment_profile" TEXT NOT NULL,
    "next_period" INTEGER NOT NULL DEFAULT 0,
    "enabled_by" TEXT NOT NULL,
    "enabled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "program_scoring_pkey" PRIMARY KEY ("program_id")
);

-- One facility's score for one period of one program: kept once computed, and what its
-- performance was posted from.
CREATE TABLE "performance_scores" (
    "program_id" INTEGER NOT NULL,
    "period" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "performance_bps" INTEGER NOT NULL,
    "delivered_kwh" BIGINT NOT NULL,
    "committed_kw" BIGINT NOT NULL,
    "window_from" TIMESTAMPTZ(3) NOT NULL,
    "window_to" TIMESTAMPTZ(3) NOT NULL,
    "breakdown" JSONB NOT NULL,
    "series" JSONB NOT NULL,
    "scored_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "performance_scores_pkey" PRIMARY KEY ("program_id", "period", "facility_id")
);

-- The score an accepted service request was fulfilled with, when computed from telemetry over
-- the window the admin named; kept before the fulfilment is signed, and served afterwards.
CREATE TABLE "request_scores" (
    "request_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "performance_bps" INTEGER NOT NULL,
    "delivered_kwh" BIGINT NOT NULL,
    "committed_kw" BIGINT NOT NULL,
    "window_from" TIMESTAMPTZ(3) NOT NULL,
    "window_to" TIMESTAMPTZ(3) NOT NULL,
    "breakdown" JSONB NOT NULL,
    "series" JSONB NOT NULL,
    "scored_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "request_scores_pkey" PRIMARY KEY ("request_id")
);
