// Compiles every workspace to JavaScript in its dist/ (`npm run build`): the services'
// generated Prisma clients first (they live in their sources), then each workspace's own
// build script, a few at a time. Stale output is removed first, so dist/ holds exactly
// what the sources compile to. The compiled services run with plain Node:
// `node services/<name>/dist/main.js`, `node services/<name>/dist/migrate.js`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

type Workspace = { name: string; dir: string; hasBuild: boolean };

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function workspaces(): Workspace[] {
  const listed = spawnSync("npm", ["query", ".workspace"], { cwd: root, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`npm query failed: ${listed.stderr}`);
  return (JSON.parse(listed.stdout) as { name: string; path: string }[]).map(({ name, path }) => {
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
    };
    return { name, dir: path, hasBuild: manifest.scripts?.build !== undefined };
  });
}

function build(workspace: Workspace): Promise<{ workspace: Workspace; status: number; output: string }> {
  return new Promise((done) => {
    const child = spawn("npm", ["run", "build", "--silent"], { cwd: workspace.dir });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (status) => done({ workspace, status: status ?? 1, output }));
  });
}

async function main(): Promise<number> {
  const all = workspaces();
  const serviceSchemas = all
    .map((workspace) => join(workspace.dir, "prisma", "schema.prisma"))
    .filter((schema) => existsSync(schema));
  const generated = spawnSync(
    process.execPath,
    [...process.execArgv, join(root, "scripts", "prisma-generate.ts"), ...serviceSchemas],
    { cwd: root, stdio: "inherit" },
  );
  if (generated.status !== 0) return 1;

  const queue = all.filter((workspace) => workspace.hasBuild);
  for (const workspace of queue) rmSync(join(workspace.dir, "dist"), { recursive: true, force: true });
  let failed = 0;
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const started = performance.now();
      const result = await build(next);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (result.status === 0) {
        console.log(`build: ${result.workspace.name} (${seconds} s)`);
      } else {
        failed += 1;
        console.error(`build: ${result.workspace.name} failed (exit ${result.status})\n${result.output}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), queue.length) }, worker));
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
