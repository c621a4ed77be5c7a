/** The PostgreSQL and NATS servers integration tests use: the environment's, else the local ones. */
export const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
export const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
