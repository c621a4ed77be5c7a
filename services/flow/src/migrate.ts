// Applies the service's migrations (prisma/migrations) to its schema: the deploy
// step before the service starts, and part of the local start. Needs only
// DATABASE_URL and FLOW_SCHEMA.
import { fileURLToPath } from "node:url";
import { applyMigrations } from "@voltstack/persistence";
import { loadConfig, serviceConfigSchema } from "@voltstack/service-kit";
import { flowSchemaName } from "./flow-config.js";

const config = loadConfig(serviceConfigSchema({ defaultPort: 0, extra: { FLOW_SCHEMA: flowSchemaName } }));
const result = await applyMigrations({
  url: config.DATABASE_URL,
  schema: config.FLOW_SCHEMA,
  migrationsDir: fileURLToPath(new URL("../prisma/migrations", import.meta.url)),
  log: (message) => console.log(message),
});
console.log(`flow: schema ${result.schema} migrated (${result.appliedMigrationNames.length} applied)`);
