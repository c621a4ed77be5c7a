import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Servers of the chaos suite's own, which it may stop, restart and kill without
// touching the shared PostgreSQL and NATS that every other test uses.

const START_TIMEOUT_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("No free port could be found.");
  return address.port;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const answer = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000);
    socket.once("connect", () => answer(true));
    socket.once("error", () => answer(false));
    socket.once("timeout", () => answer(false));
    socket.connect(port, "127.0.0.1");
  });
}

async function waitForPort(what: string, port: number, open: boolean, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await portAnswers(port)) === open) return;
    if (open && child && child.exitCode !== null) throw new Error(`${what} exited (code ${child.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not ${open ? "open" : "close"} port ${port} within ${START_TIMEOUT_MS / 1000} s`);
}

/** A nats-server with JetStream on a free port, its store in a temporary directory kept across restarts. */
export class PrivateNats {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
  ) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort(), mkdtempSync(join(tmpdir(), "voltstack-chaos-nats-")));
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const child = spawn(natsServerBinary(), ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.storeDir], {
      stdio: "ignore",
    });
    this.#child = child;
    child.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
    await waitForPort("nats-server", this.port, true, child);
  }

  /** Stops the server (SIGTERM, as an orchestrator does); every client connection drops. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

function natsServerBinary(): string {
  for (const candidate of ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]) {
    if (existsSync(candidate)) return candidate;
  }
  return "nats-server";
}

/** The directory holding initdb and pg_ctl: PG_BIN_DIR, else the newest Debian PostgreSQL, else PATH. */
function postgresBinaryDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((version) => existsSync(join(root, version, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  try {
    return execFileSync("sh", ["-c", "dirname $(command -v initdb)"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("initdb is not installed: apt-get install postgresql, or set PG_BIN_DIR");
  }
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user (else nobody). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { uid, gid };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error("Running as root with neither a postgres nor a nobody user to own a PostgreSQL cluster.");
}

/** A PostgreSQL cluster of its own (initdb, trust auth) on a free port, in a temporary directory. */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly baseDir: string,
    private readonly binDir: string,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const baseDir = mkdtempSync(join(tmpdir(), "voltstack-chaos-pg-"));
    const user = unprivilegedUser();
    if (user) chownSync(baseDir, user.uid, user.gid);
    const postgres = new PrivatePostgres(await freePort(), baseDir, postgresBinaryDir(), user);
    postgres.#run("initdb", ["-D", postgres.#dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
    await postgres.start();
    return postgres;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get #dataDir(): string {
    return join(this.baseDir, "data");
  }

  #run(program: string, args: string[]): void {
    execFileSync(join(this.binDir, program), args, {
      stdio: "ignore",
      cwd: this.baseDir,
      ...(this.user ?? {}),
      timeout: START_TIMEOUT_MS,
    });
  }

  get #serverOptions(): string {
    // The socket lives beside the data, so nothing needs /var/run/postgresql; fsync off: a test cluster.
    return `-p ${this.port} -k ${this.baseDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  }

  async start(): Promise<void> {
    this.#run("pg_ctl", [
      "-D",
      this.#dataDir,
      "-o",
      this.#serverOptions,
      "-l",
      join(this.baseDir, "log"),
      "-w",
      "start",
    ]);
    await waitForPort("PostgreSQL", this.port, true);
  }

  /** `pg_ctl restart -m fast`: every session is ended, the server comes back on the same port. */
  async restart(): Promise<void> {
    this.#run("pg_ctl", [
      "-D",
      this.#dataDir,
      "-o",
      this.#serverOptions,
      "-l",
      join(this.baseDir, "log"),
      "-m",
      "fast",
      "-w",
      "restart",
    ]);
    await waitForPort("PostgreSQL", this.port, true);
  }

  async destroy(): Promise<void> {
    try {
      this.#run("pg_ctl", ["-D", this.#dataDir, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Not running (a failed start): only the directory is left to remove.
    }
    rmSync(this.baseDir, { recursive: true, force: true });
  }
}
