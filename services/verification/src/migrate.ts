// Applies the service's migrations (prisma/migrations) to its schema: the deploy
// step before the service starts, and part of the local start. Needs only
// DATABASE_URL and VERIFICATION_SCHEMA.
import { fileURLToPath } from "node:url";
import { applyMigrations } from "@voltstack/persistence";
import { loadConfig, serviceConfigSchema } from "@voltstack/service-kit";
import { verificationSchemaName } from "./verification-config.js";

const config = loadConfig(
  serviceConfigSchema({ defaultPort: 0, extra: { VERIFICATION_SCHEMA: verificationSchemaName } }),
);
const result = await applyMigrations({
  url: config.DATABASE_URL,
  schema: config.VERIFICATION_SCHEMA,
  migrationsDir: fileURLToPath(new URL("../prisma/migrations", import.meta.url)),
  log: (message) => console.log(message),
});
console.log(`verification: schema ${result.schema} migrated (${result.appliedMigrationNames.length} applied)`);
