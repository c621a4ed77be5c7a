// Generates the Prisma clients the code imports: every service's
// services/<name>/prisma/schema.prisma and every library test fixture
// (libs/<name>/test/<fixture>/schema.prisma). Generated clients are not
// committed, so a fresh clone runs this before type-checking or testing.
//
//   tsx scripts/prisma-generate.ts              all schemas
//   tsx scripts/prisma-generate.ts a/schema.prisma ...   only those
//
// Works offline: `prisma generate` never runs the native schema engine, but the
// CLI insists on finding one, so any existing file stands in for it unless
// PRISMA_SCHEMA_ENGINE_BINARY is already set.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = join(root, "node_modules", "prisma", "build", "index.js");

function schemaPaths(args: string[]): string[] {
  if (args.length > 0) return args.map((arg) => resolve(arg));
  return [...schemasUnder("services", "prisma"), ...schemasUnder("libs", "test/*")].sort();
}

// <top>/<package>/<inner>/schema.prisma, where a trailing "/*" in inner matches any one folder.
function schemasUnder(top: string, inner: string): string[] {
  const folders = (path: string) =>
    existsSync(path)
      ? readdirSync(path, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(path, e.name))
      : [];
  const [fixed, wildcard] = inner.endsWith("/*") ? [inner.slice(0, -2), true] : [inner, false];
  return folders(join(root, top))
    .flatMap((pkg) => (wildcard ? folders(join(pkg, fixed)) : [join(pkg, fixed)]))
    .map((folder) => join(folder, "schema.prisma"))
    .filter(existsSync);
}

// A prisma.config.ts beside the schema or one folder up (the service root) applies to it.
function configFor(schema: string): string | undefined {
  return [join(dirname(schema), "prisma.config.ts"), join(dirname(schema), "..", "prisma.config.ts")].find(existsSync);
}

function generate(schema: string): Promise<{ schema: string; status: number; output: string }> {
  const config = configFor(schema);
  const args = [prismaCli, "generate", "--no-hints", "--schema", schema, ...(config ? ["--config", config] : [])];
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    // Configs may read DATABASE_URL; generation itself never connects.
    DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  };
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (status) => done({ schema, status: status ?? 1, output }));
  });
}

async function main(): Promise<number> {
  const schemas = schemaPaths(process.argv.slice(2));
  const missing = schemas.filter((schema) => !existsSync(schema));
  if (missing.length > 0) {
    console.error(`prisma-generate: no such schema: ${missing.join(", ")}`);
    return 1;
  }
  const queue = [...schemas];
  let failed = 0;
  const worker = async () => {
    for (let schema = queue.shift(); schema !== undefined; schema = queue.shift()) {
      const result = await generate(schema);
      const name = relative(root, result.schema);
      if (result.status === 0) {
        console.log(`prisma-generate: generated ${name}`);
      } else {
        failed += 1;
        console.error(`prisma-generate: ${name} failed (exit ${result.status})\n${result.output}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, availableParallelism(), schemas.length) }, worker));
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
