// Applies a service's migrations from the command line, for deploy jobs and local set-up:
//
//   tsx --conditions voltstack-source libs/persistence/src/migrate-cli.ts \
//     --schema verification --dir services/verification/prisma/migrations
//   (built: node libs/persistence/dist/migrate-cli.js ...)
//
// DATABASE_URL selects the server (default: the local one). Exits 1 with the error's
// code and message when anything is refused or fails.
import { parseArgs } from "node:util";
import { applyMigrations, markMigrationRolledBack } from "./migration-runner.js";
import { PersistenceError } from "./persistence-error.js";

const { values } = parseArgs({
  options: {
    schema: { type: "string" },
    dir: { type: "string" },
    "mark-rolled-back": { type: "string" },
    "lock-timeout-ms": { type: "string" },
  },
});

const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const lockTimeoutMs = values["lock-timeout-ms"] === undefined ? undefined : Number(values["lock-timeout-ms"]);

try {
  if (values["mark-rolled-back"] !== undefined) {
    await markMigrationRolledBack({ url, schema: values.schema, lockTimeoutMs }, values["mark-rolled-back"]);
    console.log(`Marked ${values["mark-rolled-back"]} as rolled back`);
  } else {
    if (values.dir === undefined) throw new Error("--dir <migrations directory> is required");
    const result = await applyMigrations({
      url,
      schema: values.schema,
      migrationsDir: values.dir,
      lockTimeoutMs,
      log: console.log,
    });
    console.log(`Applied ${result.appliedMigrationNames.length} migration(s) to schema ${result.schema}`);
  }
} catch (error) {
  console.error(error instanceof PersistenceError ? `${error.code}: ${error.message}` : String(error));
  process.exitCode = 1;
}
