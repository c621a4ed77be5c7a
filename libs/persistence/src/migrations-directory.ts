import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PersistenceError } from "./persistence-error.js";

/** One `<timestamp>_<name>/migration.sql` folder of a Prisma migrations directory. */
export interface MigrationScript {
  name: string;
  path: string;
  script: string;
}

export interface MigrationsDirectory {
  migrations: MigrationScript[];
  /** The provider named in migration_lock.toml, when the file exists. */
  lockedProvider: string | undefined;
}

const LOCK_FILE = "migration_lock.toml";
const SCRIPT_FILE = "migration.sql";

/** Reads a migrations directory in Prisma's layout, migrations in name order as Prisma applies them. */
export async function readMigrationsDirectory(dir: string): Promise<MigrationsDirectory> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new PersistenceError(
      "MIGRATIONS_DIR_NOT_FOUND",
      `The migrations directory ${dir} cannot be read.`,
      { dir },
      { cause },
    );
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrations = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name, SCRIPT_FILE);
      try {
        return { name, path, script: await readFile(path, "utf8") };
      } catch (cause) {
        throw new PersistenceError(
          "MIGRATION_SCRIPT_MISSING",
          `Migration ${name} has no readable ${SCRIPT_FILE} at ${path}.`,
          { migrationName: name, path },
          { cause },
        );
      }
    }),
  );
  const lock = entries.some((entry) => entry.isFile() && entry.name === LOCK_FILE)
    ? await readFile(join(dir, LOCK_FILE), "utf8")
    : undefined;
  return { migrations, lockedProvider: lock === undefined ? undefined : providerInLockFile(lock) };
}

// Same reading as Prisma: the first line starting with "provider", quotes trimmed.
function providerInLockFile(content: string): string {
  const line = content.split(/\r?\n/).find((l) => l.startsWith("provider"));
  return line === undefined ? "<PROVIDER NOT FOUND>" : line.replace(/^provider = /, "").replace(/^"+|"+$/g, "");
}
