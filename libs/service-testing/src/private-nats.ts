import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./free-port.js";

/** A nats-server with JetStream of a test's own, on a free loopback port, that the test may stop and start. */
export interface PrivateNats {
  /** `nats://127.0.0.1:<port>`: the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** JetStream's storage; kept across restarts, so a restart loses nothing. */
  readonly storeDir: string;
  /** Stops the server (SIGTERM, or SIGKILL for a crash) and waits until it has exited. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts it again on the same port and storage; waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its storage. */
  close(): Promise<void>;
}

const NATS_SERVER_CANDIDATES = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

function natsServerBinary(): string {
  return NATS_SERVER_CANDIDATES.find((path) => existsSync(path)) ?? "nats-server";
}

/** Starts a private nats-server (`-js -p <free port> -sd <temp dir>`) for tests that take NATS down. */
export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), "private-nats-"));
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    if (server) return;
    const child = spawn(natsServerBinary(), ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
      stdio: "ignore",
    });
    server = child;
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    void exited.then(() => {
      if (server === child) server = undefined;
    });
    await waitForPort(port, "nats-server", exited);
  };

  const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
    if (!server) return;
    server.kill(signal);
    await exited;
    server = undefined;
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    start,
    close: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
