// Vitest global setup: chooses the PostgreSQL and NATS the suite talks to, once per run.
// Where a Docker engine is reachable it starts both in containers (testcontainers) and points
// DATABASE_URL / NATS_URL at them, so every harness, and every service a test spawns, inherits
// them; otherwise it keeps the servers at DATABASE_URL / NATS_URL (the local ones by default).
// TEST_CONTAINERS=off keeps those servers even where an engine runs.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const POSTGRES_IMAGE = "postgres:15-alpine";
const NATS_IMAGE = "nats:2.10-alpine";

type Teardown = () => Promise<void>;

// Looking for a socket or a configured host costs nothing; importing testcontainers costs
// seconds, so it is imported only where an engine may answer.
function mayHaveDockerEngine(): boolean {
  if (process.env.DOCKER_HOST) return true;
  const candidates = [
    "/var/run/docker.sock",
    join(homedir(), ".testcontainers.properties"),
    join(homedir(), ".docker", "run", "docker.sock"),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, "docker.sock")] : []),
  ];
  return candidates.some((path) => existsSync(path));
}

async function startContainers(): Promise<{ databaseUrl: string; natsUrl: string; stop: Teardown } | undefined> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const [postgres, nats] = await Promise.all([
    new GenericContainer(POSTGRES_IMAGE)
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: "trust" })
      // Each test file starts services with pools of their own.
      .withCommand(["postgres", "-c", "max_connections=300", "-c", "fsync=off"])
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer(NATS_IMAGE)
      .withCommand(["-js"])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start(),
  ]);
  return {
    databaseUrl: `postgresql://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    stop: async () => {
      await Promise.all([postgres.stop(), nats.stop()]);
    },
  };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(an unparsable URL)";
  }
}

export default async function chooseTestServers(): Promise<Teardown | undefined> {
  const containers =
    process.env.TEST_CONTAINERS !== "off" && mayHaveDockerEngine() ? await startContainers() : undefined;
  if (containers) {
    process.env.DATABASE_URL = containers.databaseUrl;
    process.env.NATS_URL = containers.natsUrl;
    console.log(
      `test servers: containers ${POSTGRES_IMAGE} at ${containers.databaseUrl}, ${NATS_IMAGE} at ${containers.natsUrl}`,
    );
    return containers.stop;
  }
  const databaseUrl = withoutPassword(process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
  const natsUrl = withoutPassword(process.env.NATS_URL || "nats://127.0.0.1:4222");
  const why = process.env.TEST_CONTAINERS === "off" ? "TEST_CONTAINERS=off" : "no Docker engine reachable";
  console.log(`test servers: ${why}; PostgreSQL at ${databaseUrl}, NATS at ${natsUrl}`);
  return undefined;
}
