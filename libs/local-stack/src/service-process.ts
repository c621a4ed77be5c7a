import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import type { StackService } from "./stack-services.js";
import { repositoryRoot } from "./stack-services.js";

/** How long a service may take to answer ready when its options name no limit. */
const DEFAULT_START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

/** How a service process ended, for the launcher to report. */
export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcessOptions {
  service: StackService;
  env: Record<string, string>;
  /** The service's output (pino JSON lines) is appended here. */
  logFile: string;
  onExit?: (exit: ServiceExit) => void;
  /**
   * How long a start may take before it counts as failed (default 120 s). Loading a service's
   * module graph costs about 5 s of CPU, so five starting together on a busy 2-core machine
   * need far longer than on an idle one.
   */
  startTimeoutMs?: number;
  /**
   * Runs the compiled entry on this Node binary with these NODE_OPTIONS, as the image does,
   * instead of the sources through tsx on the launcher's Node.
   */
  compiled?: CompiledRuntime;
}

/** How the image runs a service: its `dist/main.js` on a Node binary of its own. */
export interface CompiledRuntime {
  nodeBinary: string;
  /** Replaces any NODE_OPTIONS of the environment, as the image's ENV does. */
  nodeOptions: string;
}

/**
 * One service running as its own Node.js process, as it runs in a container: started
 * from its main.ts through tsx (or from its compiled entry, `options.compiled`), with its
 * whole configuration in the environment.
 */
export class ServiceProcess {
  #child: ChildProcess | undefined;
  #log: WriteStream | undefined;
  #expectedExit = false;

  constructor(private readonly options: ServiceProcessOptions) {}

  get name(): string {
    return this.options.service.name;
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.env.PORT}`;
  }

  /** Changes one configuration variable for the next start. */
  setEnv(name: string, value: string): void {
    if (this.#child) throw new Error(`${this.name} is running: stop it before changing its configuration.`);
    this.options.env[name] = value;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process and resolves once its readiness endpoint answers 200. */
  async start(): Promise<void> {
    if (this.#child) throw new Error(`${this.name} is already running.`);
    this.#expectedExit = false;
    this.#log = createWriteStream(this.options.logFile, { flags: "a" });
    const { compiled, service } = this.options;
    const env = { ...process.env, ...this.options.env };
    const child = compiled
      ? spawn(compiled.nodeBinary, [service.compiledEntryPoint], {
          cwd: repositoryRoot,
          env: { ...env, NODE_OPTIONS: compiled.nodeOptions },
          stdio: ["ignore", "pipe", "pipe"],
        })
      : spawn(process.execPath, ["--import", "tsx", "--conditions=voltstack-source", service.entryPoint], {
          cwd: repositoryRoot,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
    this.#child = child;
    child.stdout?.pipe(this.#log, { end: false });
    child.stderr?.pipe(this.#log, { end: false });
    child.once("exit", (code, signal) => {
      this.#child = undefined;
      this.#log?.end();
      if (!this.#expectedExit) this.options.onExit?.({ code, signal });
    });
    await this.#waitUntilReady(child);
  }

  /** Whether the last start failed because its port was in use (the log says EADDRINUSE). */
  async portWasTaken(): Promise<boolean> {
    try {
      const log = await readFile(this.options.logFile, "utf8");
      return log.slice(-4_000).includes("EADDRINUSE");
    } catch {
      return false;
    }
  }

  /** Asks the service to shut down (SIGTERM), as Kubernetes does, and waits for it to exit. */
  async stop(): Promise<void> {
    await this.#end("SIGTERM");
  }

  /** Kills the service at once (SIGKILL): no shutdown hooks, no acks, as a crash would. */
  async kill(): Promise<void> {
    await this.#end("SIGKILL");
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#expectedExit = true;
    const exited = once(child, "exit");
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  async #waitUntilReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) =>
        reject(
          new Error(
            `${this.name} exited while starting (${signal ?? `code ${code}`}); its output is in ${this.options.logFile}`,
          ),
        ),
      ),
    );
    exited.catch(() => undefined);
    while (Date.now() < deadline) {
      const ready = await Promise.race([this.#isReady(), exited]);
      if (ready) return;
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), exited]);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs / 1000} s; see ${this.options.logFile}`);
  }

  async #isReady(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }
}
