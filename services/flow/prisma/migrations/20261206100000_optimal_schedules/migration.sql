-- Optimal scheduling: the price curve the optimiser plans against, each facility's battery
-- settings and chosen strategy, the reserve it has committed to programs, and which strategy
-- produced each schedule.

-- The one price curve in force (id 1): a newer curve replaces it whole.
CREATE TABLE "price_curve" (
    "id" INTEGER NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "step_minutes" INTEGER NOT NULL,
    "prices_micro_stx_per_kwh" INTEGER[] NOT NULL,
    "demand_percent" INTEGER[] NOT NULL,
    "source" TEXT,
    "published_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "price_curve_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "price_curve_single_row" CHECK ("id" = 1)
);

-- A facility's battery model and strategy; a facility without a row uses the service's defaults.
CREATE TABLE "schedule_settings" (
    "facility_id" INTEGER NOT NULL,
    "strategy" TEXT NOT NULL,
    "charge_efficiency_bps" INTEGER NOT NULL,
    "discharge_efficiency_bps" INTEGER NOT NULL,
    "self_discharge_bps_per_day" INTEGER NOT NULL,
    "degradation_micro_stx_per_kwh" INTEGER NOT NULL,
    "max_cycles_per_day" INTEGER,
    "end_kwh" BIGINT,
    "execute_on_chain" BOOLEAN NOT NULL DEFAULT false,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedule_settings_pkey" PRIMARY KEY ("facility_id")
);

-- Programs' products, from program.created: an enrolment's reserve depends on its product.
CREATE TABLE "program_products" (
    "program_id" INTEGER NOT NULL,
    "product" TEXT NOT NULL,

    CONSTRAINT "program_products_pkey" PRIMARY KEY ("program_id")
);

-- Power a facility holds back for a program while enrolled (program.enrolled until withdrawn,
-- closed or cancelled), in both directions for frequency products, upwards for energy products.
CREATE TABLE "reserve_commitments" (
    "program_id" INTEGER NOT NULL,
    "facility_id" INTEGER NOT NULL,
    "product" TEXT NOT NULL,
    "committed_kw" BIGINT NOT NULL,
    "up_kw" BIGINT NOT NULL,
    "down_kw" BIGINT NOT NULL,
    "duration_minutes" INTEGER NOT NULL,

    CONSTRAINT "reserve_commitments_pkey" PRIMARY KEY ("program_id", "facility_id")
);
CREATE INDEX "reserve_commitments_facility_idx" ON "reserve_commitments" ("facility_id");

ALTER TABLE "flow_schedules"
    ADD COLUMN "strategy" TEXT NOT NULL DEFAULT 'contract-rule',
    ADD COLUMN "expected_revenue_micro_stx" BIGINT,
    ADD COLUMN "fallback_reason" TEXT;

-- Each schedule step the service recorded on chain for a facility that asked it to, at most once:
-- the row is written before the record is signed, so a step is never recorded twice.
CREATE TABLE "schedule_executions" (
    "facility_id" INTEGER NOT NULL,
    "step_starts_at" TIMESTAMPTZ(3) NOT NULL,
    "schedule_version" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "energy_kwh" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "txid" TEXT,
    "code" TEXT,
    "message" TEXT,
    "executed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedule_executions_pkey" PRIMARY KEY ("facility_id", "step_starts_at")
);
