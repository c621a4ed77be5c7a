import { execFile as execFileCallback, execFileSync } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const execFile = promisify(execFileCallback);

/** A PostgreSQL cluster of a test's own (trust auth, user postgres) on a free loopback port. */
export interface PrivatePostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`: the same across restarts. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /**
   * Stops the server and waits: "fast" ends sessions and shuts down cleanly, "immediate"
   * is a crash (recovery at the next start).
   */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts it again on the same port and data; waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  close(): Promise<void>;
}

async function postgresBinDir(): Promise<string> {
  const root = "/usr/lib/postgresql";
  const versions = (await readdir(root).catch(() => [] as string[])).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0)
    throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, versions[0]!, "bin");
}

/** initdb and postgres refuse to run as root: as root, run them as the postgres user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/** Creates a cluster with initdb in a temp dir and starts it with pg_ctl on a free port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await postgresBinDir();
  const port = await freePort();
  const root = await mkdtemp(join(tmpdir(), "private-postgres-"));
  const dataDir = join(root, "data");
  const user = serverUser();
  if (user) await chown(root, user.uid, user.gid);
  const run = (tool: string, args: string[]) =>
    execFile(join(bin, tool), args, { ...(user ?? {}), cwd: root, timeout: 120_000 });

  await run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const start = async () => {
    await run("pg_ctl", [
      "-D",
      dataDir,
      "-l",
      join(root, "server.log"),
      "-w",
      "-t",
      "120",
      "-o",
      `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    await run("pg_ctl", ["-D", dataDir, "-w", "-t", "120", "-m", mode, "stop"]).catch((error: unknown) => {
      // Already stopped is what the caller wants.
      if (!String((error as { stderr?: unknown }).stderr ?? error).includes("Is server running?")) throw error;
    });
  };

  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop,
    start,
    close: async () => {
      await stop("immediate");
      await rm(root, { recursive: true, force: true });
    },
  };
}
