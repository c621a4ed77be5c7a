import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createPgPool } from "@voltstack/persistence";
import { databaseUrl, natsUrl } from "@voltstack/service-testing";

/**
 * Drops what a test's stack left on the shared servers: its schemas, and its streams,
 * each of which reserves its maximum size in JetStream's storage until deleted.
 */
export async function dropStackState(
  schemas: readonly string[],
  subjectPrefix: string,
  servers: { databaseUrl: string; natsUrl: string } = { databaseUrl, natsUrl },
): Promise<void> {
  const pool = createPgPool({ url: servers.databaseUrl, applicationName: "e2e-cleanup", pool: { max: 1 } });
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  const nats = await connect({ servers: servers.natsUrl });
  const jsm = await jetstreamManager(nats);
  for await (const info of jsm.streams.list()) {
    if (info.config.subjects?.some((subject) => subject.startsWith(subjectPrefix))) {
      await jsm.streams.delete(info.config.name);
    }
  }
  await nats.close();
}
