/** The folder name of the idempotency keys' migration in a service's prisma/migrations. */
export const IDEMPOTENCY_MIGRATION_NAME = "00000000000003_idempotency_keys";

/**
 * The requests made with an Idempotency-Key: per caller and key, the request's
 * fingerprint, its answer once final and the transactions it broadcast (linked before the
 * broadcast, so that a retry after a crash answers from them). Rows expire after the
 * retention period and are pruned.
 */
export const IDEMPOTENCY_MIGRATION_SQL = `-- CreateTable
CREATE TABLE "idempotency_keys" (
    "caller_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "response_location" TEXT,
    "transactions" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_id","idempotency_key")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys"("expires_at");
`;

/** The model matching IDEMPOTENCY_MIGRATION_SQL, to paste into a service's schema.prisma. */
export const IDEMPOTENCY_PRISMA_MODEL = `model IdempotencyKey {
  callerId         String   @map("caller_id")
  idempotencyKey   String   @map("idempotency_key")
  method           String
  path             String
  fingerprint      String
  state            String
  responseStatus   Int?     @map("response_status")
  responseBody     Json?    @map("response_body")
  responseLocation String?  @map("response_location")
  transactions     Json     @default("[]")
  createdAt        DateTime @default(now()) @map("created_at") @db.Timestamptz(3)
  updatedAt        DateTime @default(now()) @map("updated_at") @db.Timestamptz(3)
  expiresAt        DateTime @map("expires_at") @db.Timestamptz(3)

  @@id([callerId, idempotencyKey])
  @@index([expiresAt])
  @@map("idempotency_keys")
}
`;
