// Sustained events/s through outbox -> JetStream -> inbox, with latency, next
// to the raw JetStream publish + consume rate of the same client in the same
// run. Prints one markdown section. Uses DATABASE_URL / NATS_URL when set.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import {
  DEAD_LETTER_DISCARD_MIGRATION_SQL,
  durableName,
  enqueue,
  ensureStreams,
  JetStreamContext,
  JetStreamServer,
  MESSAGING_MIGRATION_SQL,
  OutboxRelay,
  pgExecutor,
  pgTransactions,
  SubjectNaming,
} from "@voltstack/messaging";

const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

const RAW_EVENTS = Number(process.env.BENCH_RAW_EVENTS ?? 30_000);
const RAW_IN_FLIGHT = 256;
const WARMUP_EVENTS = 2_000;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = 3;
const PACED_EVENTS = 3_000;
const PACED_RATE = 500;
const PRODUCERS = 12;
const EVENTS_PER_TRANSACTION = 10;
const CONSUMER_CONCURRENCY = 8;
const BATCH = 32;
const PAYLOAD = { facilityId: 42, requestId: 1234, energyKwh: 250, paymentUstx: "1500000", note: "x".repeat(120) };

const token = randomBytes(4).toString("hex");
const schema = `msg_bench_${token}`;
const naming = new SubjectNaming(`bench${token}.`);

function pool(name: string, max: number): pg.Pool {
  const created = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: `${schema}-${name}`,
    options: `-c search_path=${schema}`,
  });
  created.on("error", () => undefined);
  return created;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("benchmark did not finish in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Raw JetStream: publish with msgID and 256 in flight while a pull consumer acks explicitly. */
async function measureRaw(nc: NatsConnection, round: number): Promise<number> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const stream = naming.streamName("RAW");
  const subject = naming.wire(`raw.round${round}`);
  await jsm.consumers.add(stream, {
    durable_name: `raw${round}`,
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
  });
  const body = JSON.stringify(PAYLOAD);
  const consumer = await js.consumers.get(stream, `raw${round}`);
  const started = performance.now();
  let consumed = 0;
  const consuming = (async () => {
    const messages = await consumer.consume({ max_messages: 512 });
    for await (const message of messages) {
      message.ack();
      consumed += 1;
      if (consumed === RAW_EVENTS) break;
    }
  })();
  let next = 0;
  const publisher = async () => {
    while (next < RAW_EVENTS) {
      const i = next++;
      const h = natsHeaders();
      await js.publish(subject, body, { msgID: `raw-${round}-${i}`, headers: h });
    }
  };
  await Promise.all(Array.from({ length: RAW_IN_FLIGHT }, publisher));
  await consuming;
  return RAW_EVENTS / ((performance.now() - started) / 1000);
}

async function produce(producerPool: pg.Pool, subject: string, count: number): Promise<void> {
  let next = 0;
  const producer = async () => {
    const client = await producerPool.connect();
    try {
      while (next < count) {
        const start = next;
        next += EVENTS_PER_TRANSACTION;
        const size = Math.min(EVENTS_PER_TRANSACTION, count - start);
        await client.query("BEGIN");
        await client.query("INSERT INTO orders (n) SELECT generate_series($1::int, $2::int)", [
          start,
          start + size - 1,
        ]);
        await enqueue(
          pgExecutor(client),
          Array.from({ length: size }, () => ({ subject, payload: PAYLOAD })),
        );
        await client.query("COMMIT");
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, producer));
}

let loadDuringRun = 0;

/** Offers `ratePerSecond` events as transactions of EVENTS_PER_TRANSACTION, on a fixed schedule, for `count` events. */
async function producePaced(
  producerPool: pg.Pool,
  subject: string,
  count: number,
  ratePerSecond: number,
): Promise<void> {
  const intervalMs = (1000 * EVENTS_PER_TRANSACTION) / ratePerSecond;
  const started = performance.now();
  const commits: Promise<void>[] = [];
  for (let start = 0; start < count; start += EVENTS_PER_TRANSACTION) {
    const due = started + (start / EVENTS_PER_TRANSACTION) * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    commits.push(
      (async () => {
        const client = await producerPool.connect();
        try {
          await client.query("BEGIN");
          await enqueue(
            pgExecutor(client),
            Array.from({ length: EVENTS_PER_TRANSACTION }, () => ({ subject, payload: PAYLOAD })),
          );
          await client.query("COMMIT");
        } finally {
          client.release();
        }
      })(),
    );
  }
  await Promise.all(commits);
}

type PathStats = { rate: number; p50: number; p99: number; duplicates: number };

async function pathStats(admin: pg.Pool, subject: string, count: number): Promise<PathStats> {
  const row = (
    await admin.query<{ seconds: number; p50: number; p99: number; duplicates: string }>(
      `SELECT EXTRACT(EPOCH FROM max(e.applied_at) - min(o.created_at))::float8 AS seconds,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM e.applied_at - o.created_at)) * 1000 AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM e.applied_at - o.created_at)) * 1000 AS p99,
              count(*) - count(DISTINCT e.event_id) AS duplicates
         FROM effects e JOIN outbox o ON o.id::text = e.event_id
        WHERE e.subject = $1`,
      [subject],
    )
  ).rows[0]!;
  return { rate: count / row.seconds, p50: row.p50, p99: row.p99, duplicates: Number(row.duplicates) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const admin = pool("admin", 2);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(MESSAGING_MIGRATION_SQL);
  await admin.query(DEAD_LETTER_DISCARD_MIGRATION_SQL);
  await admin.query(
    "CREATE TABLE orders (n int NOT NULL); CREATE TABLE effects (event_id text NOT NULL, subject text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())",
  );
  const nc = await connect({ servers: natsUrl, name: "bench" });
  const consumerNats = await connect({ servers: natsUrl, name: "bench-consumer" });
  const jsm = await jetstreamManager(nc);
  const pools: pg.Pool[] = [];
  let relay: OutboxRelay | undefined;
  let server: JetStreamServer | undefined;
  try {
    const streams = [
      { name: "RAW", subjects: ["raw.>"] },
      { name: "BENCH", subjects: ["bench.>"] },
    ];
    await ensureStreams(jsm, naming, streams);

    const producerPool = pool("producer", PRODUCERS);
    const relayPool = pool("relay", 3);
    const consumerPool = pool("consumer", CONSUMER_CONCURRENCY + 2);
    pools.push(producerPool, relayPool, consumerPool);
    relay = new OutboxRelay({ pool: relayPool, nats: nc, schema, subjectPrefix: naming.prefix, batchSize: 500 });
    server = new JetStreamServer({
      service: "bench",
      nats: consumerNats,
      transactions: pgTransactions(consumerPool),
      schema,
      subjectPrefix: naming.prefix,
      streams,
      deadLetterStream: false,
      consumerDefaults: { concurrency: CONSUMER_CONCURRENCY, batchSize: BATCH, maxAckPending: 2_000 },
    });
    const handler = async (_data: unknown, ctx?: JetStreamContext) => {
      await ctx!.runOnce(async (_tx, sql) => {
        await sql.execute("INSERT INTO effects (event_id, subject) VALUES ($1, $2)", [
          ctx!.getEventId(),
          ctx!.getSubject(),
        ]);
      });
    };
    const subjects = [
      "bench.warmup",
      "bench.paced",
      ...Array.from({ length: ROUNDS }, (_, round) => `bench.round${round}`),
    ];
    for (const subject of subjects) server.addHandler(subject, handler, true);
    await new Promise<void>((resolve, reject) => server!.listen((error) => (error ? reject(error) : resolve())));
    await relay.start();

    const effects = async (subject: string) =>
      Number(
        (await admin.query<{ n: string }>("SELECT count(*) AS n FROM effects WHERE subject = $1", [subject])).rows[0]!
          .n,
      );
    await produce(producerPool, "bench.warmup", WARMUP_EVENTS);
    await waitUntil(async () => (await effects("bench.warmup")) === WARMUP_EVENTS, 60_000);

    // Raw and reliable rounds alternate so that changing load on the machine affects both alike.
    const rawRates: number[] = [];
    const saturated: PathStats[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      rawRates.push(await measureRaw(nc, round));
      const subject = `bench.round${round}`;
      await produce(producerPool, subject, EVENTS);
      await waitUntil(async () => (await effects(subject)) === EVENTS, 90_000);
      saturated.push(await pathStats(admin, subject, EVENTS));
      console.error(
        `round ${round}: raw ${rawRates[round]!.toFixed(0)}/s, reliable ${saturated[round]!.rate.toFixed(0)}/s`,
      );
    }
    await producePaced(producerPool, "bench.paced", PACED_EVENTS, PACED_RATE);
    await waitUntil(async () => (await effects("bench.paced")) === PACED_EVENTS, 60_000);
    const paced = await pathStats(admin, "bench.paced", PACED_EVENTS);
    loadDuringRun = loadavg()[0]!;

    const rawRate = median(rawRates);
    const reliableRate = median(saturated.map((stats) => stats.rate));
    const ratios = saturated.map((stats, round) => stats.rate / rawRates[round]!);
    const ratio = median(ratios);
    const duplicates = [...saturated, paced].reduce((sum, stats) => sum + stats.duplicates, 0);
    const lag = await jsm.consumers.info(naming.streamName("BENCH"), durableName("bench", "bench.paced"));
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const perRound = saturated
      .map(
        (stats, round) =>
          `| ${round + 1} | ${Math.round(rawRates[round]!).toLocaleString("en")} | ${Math.round(stats.rate).toLocaleString("en")} | ${ratios[round]!.toFixed(2)} | ${ms(stats.p50)} | ${ms(stats.p99)} |`,
      )
      .join("\n");

    console.log(`## Messaging: outbox → JetStream → inbox (libs/messaging)

Measured by \`libs/messaging/bench/reliable-path.bench.ts\`: one Node process, local PostgreSQL and nats-server (file-store stream, one replica), ${cpus().length} cores; 1-minute load average at the end of the run ${loadDuringRun.toFixed(1)} (other work on the machine slows both paths, so raw and reliable rounds alternate and the ratio is taken per round).

- **Reliable path**: events (${JSON.stringify(PAYLOAD).length}-byte JSON) committed into the outbox by ${PRODUCERS} producers, ${EVENTS_PER_TRANSACTION} events plus a domain row per PostgreSQL transaction; one relay (batches of 500, \`msgID\` = outbox id); one JetStream transport consumer (durable pull, explicit ack, ${CONSUMER_CONCURRENCY} transactions in flight, up to ${BATCH} waiting deliveries per transaction) whose handler writes an effect row and the inbox row through \`runOnce\`. Throughput rounds offer ${EVENTS.toLocaleString("en")} events as fast as the producers commit; rate = events / (last effect committed − first event enqueued), so it is the slowest stage's rate, and latency there includes queueing. The latency row offers ${PACED_RATE.toLocaleString("en")} events/s on a fixed schedule (${PACED_EVENTS.toLocaleString("en")} events), below saturation. Latency = effect commit − enqueuing transaction start, per event. After ${WARMUP_EVENTS.toLocaleString("en")} warm-up events.
- **Baseline (raw JetStream, same client, same run)**: ${RAW_EVENTS.toLocaleString("en")} messages of the same body per round, published with \`msgID\` and ${RAW_IN_FLIGHT} publishes in flight while a durable pull consumer acknowledges each explicitly; no database.

| round | raw JetStream publish + consume, msg/s | outbox → JetStream → inbox, events/s | ratio | p50 latency | p99 latency |
| ---: | ---: | ---: | ---: | ---: | ---: |
${perRound}

| path | events/s | p50 latency | p99 latency |
| --- | ---: | ---: | ---: |
| outbox → JetStream → inbox, saturated (median of rounds) | ${Math.round(reliableRate).toLocaleString("en")} | – | – |
| outbox → JetStream → inbox, ${PACED_RATE.toLocaleString("en")} events/s offered | ${Math.round(paced.rate).toLocaleString("en")} | ${ms(paced.p50)} | ${ms(paced.p99)} |
| raw JetStream publish + consume (median of rounds) | ${Math.round(rawRate).toLocaleString("en")} | – | – |

Ratio reliable / raw (median of rounds): **${ratio.toFixed(2)}** (goal ≥ 0.25: ${ratio >= 0.25 ? "met" : "not met"}); reliable rate ≥ 2,000 events/s: ${reliableRate >= 2_000 ? "met" : "not met"} on this run. Duplicated effects: ${duplicates}; consumer lag at the end: ${lag.num_pending}.`);
  } finally {
    await server?.close();
    await relay?.stop();
    await Promise.all(pools.map((p) => p.end()));
    for (const stream of ["RAW", "BENCH"]) await jsm.streams.delete(naming.streamName(stream)).catch(() => undefined);
    await nc.close();
    await consumerNats.close();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}

await main();
