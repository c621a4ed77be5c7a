import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, runProgramDemo } from "@voltstack/cli";
import { ApiRequestError, SERVICE_NAMES, type ServiceName } from "@voltstack/client";
import { createEvent, eventCatalog, type EventJson, isEventType } from "@voltstack/events";
import { EVENT_ID_HEADER } from "@voltstack/messaging";
import { createPgPool } from "@voltstack/persistence";
import type { Pool } from "pg";
import { natsUrl, waitFor } from "@voltstack/service-testing";
import { startSystem, type SystemUnderTest } from "../e2e/system-under-test.js";
import { type FuzzRequest, fuzzBatches, type KnownValues, operationsOf } from "./openapi-requests.js";
import {
  describeLeaks,
  findSecrets,
  findSecretsInFiles,
  findSecretsInStreams,
  type Secret,
  type SecretLeak,
  stackSecrets,
} from "./secret-scan.js";

// Hostile input against the whole system (five service processes, the devnet, NATS and
// PostgreSQL): requests generated from each service's OpenAPI document, malformed messages
// on every subject a service consumes, and a search for secrets in everything it emitted.
//
// FUZZ_REQUESTS_PER_SERVICE sets the number of requests per service (CI's 1200 keep the file
// near 4 minutes on 2 cores; docs/reliability.md has the figures and the long run's command);
// FUZZ_SEED replays a failed run.

const REQUESTS_PER_SERVICE = Number(process.env.FUZZ_REQUESTS_PER_SERVICE ?? 1200);
const BATCH_SIZE = 100;
const IN_FLIGHT = 4;
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CALLERS = ["admin", "owner-1", "owner-2", "operator"] as const;

let system: SystemUnderTest;
/** Reads every service's schema (one database): row counts, outboxes, inboxes, dead letters. */
let pool: Pool;
let secrets: Secret[];
let demoFacilities: readonly [number, number];
/** Secrets seen in HTTP responses, by request. */
const responseLeaks: SecretLeak[] = [];

beforeAll(async () => {
  // No timed expiry, settlement or scoring sweep: every chain write in this file is caused by a request it sent.
  system = await startSystem({
    EXPIRY_SWEEP_INTERVAL_MS: "0",
    PROGRAM_SETTLE_INTERVAL_MS: "0",
    PROGRAM_SCORING_INTERVAL_MS: "0",
  });
  const callers = { admin: system.caller("admin"), ownerA: system.caller("owner-1"), ownerB: system.caller("owner-2") };
  const stakeholders = system.stack.stakeholders.slice(0, 3) as [string, string, string];
  const demo = await runDemo({ urls: system.urls, devnetUrl: system.stack.devnet.url, callers, stakeholders });
  demoFacilities = demo.facilityIds;
  // The program demo settles periods (program.settled, consumed by revenue), closes its program
  // and waits for the payouts: done here, before any generated request can suspend its facilities.
  await runProgramDemo({
    urls: system.urls,
    devnetUrl: system.stack.devnet.url,
    callers,
    facilityIds: demo.facilityIds,
    stakeholdersA: stakeholders,
  });
  secrets = await stackSecrets(system.stack);
  pool = createPgPool({
    url: system.stack.serviceEnv("grid").DATABASE_URL!,
    applicationName: "fuzz",
    pool: { max: 2 },
  });
}, 600_000);

afterAll(async () => {
  await pool?.end();
  await system?.close();
}, 120_000);

async function knownValues(): Promise<KnownValues> {
  const admin = system.client("admin");
  const facilities = await admin.facilities.list();
  const requests = await admin.grid.listRequests();
  const journal = await admin.transactions("grid", { limit: 20 });
  return {
    facilityIds: facilities.items.map((facility) => facility.id),
    requestIds: requests.items.map((request) => request.id),
    principals: [...system.stack.credentials.map((credential) => credential.principal), ...system.stack.stakeholders],
    txids: journal.items.flatMap((entry) => (entry.txid ? [entry.txid] : [])),
  };
}

/** Row counts of every table of the five services' schemas and every signer's nonce. */
async function systemState(): Promise<string> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1`,
    [Object.values(system.stack.schemas)],
  );
  const { rows: counts } = await pool.query<{ name: string; rows: string }>(
    tables.map(({ name }) => `SELECT '${name}' AS name, count(*) AS rows FROM ${name}`).join(" UNION ALL "),
  );
  return JSON.stringify([counts.map(({ name, rows }) => `${name}=${rows}`).sort(), await system.signerNonces()]);
}

/**
 * The system's state once nothing is in flight any more: no pending transaction, no unsent
 * event, and no change for a second (a write's confirmation, projection and events have landed).
 * Nothing else writes rows on its own: the expiry sweep is off, and checkpoints and signing
 * leases are updated in place, which row counts do not see.
 */
async function settledState(): Promise<string> {
  const admin = system.client("admin");
  const outboxes = Object.values(system.stack.schemas)
    .map((schema) => `SELECT count(*) AS unsent FROM "${schema}".outbox WHERE sent_at IS NULL`)
    .join(" UNION ALL ");
  return waitFor(
    "the system to settle (no pending transaction, no unsent event, no change for a second)",
    async () => {
      for (const service of SERVICE_NAMES) {
        if ((await admin.transactions(service, { status: "pending" })).items.length > 0) return undefined;
      }
      const { rows } = await pool.query<{ unsent: string }>(outboxes);
      if (rows.some((row) => Number(row.unsent) > 0)) return undefined;
      const before = await systemState();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return (await systemState()) === before ? before : undefined;
    },
    120_000,
  );
}

interface Outcome {
  request: FuzzRequest;
  status: number;
  problem?: string;
}

function describeRequest(request: FuzzRequest): string {
  const path = request.path.length > 120 ? `${request.path.slice(0, 120)}…` : request.path;
  return `${request.operation.method} ${request.operation.service}${path} as ${request.caller ?? "nobody"} (${request.shape})`;
}

/**
 * One request on a connection of its own: a kept-alive connection that the service closes as
 * idle just when the client reuses it fails the request on the client's side, a race of the
 * transport (likelier on a loaded machine), not an answer of the service.
 */
function exchange(url: URL, request: FuzzRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: request.operation.method, headers: request.headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

async function send(request: FuzzRequest): Promise<Outcome> {
  const url = new URL(`${system.urls[request.operation.service as ServiceName]}${request.path}`);
  let response: { status: number; text: string };
  try {
    response = await exchange(url, request);
  } catch (error) {
    return { request, status: 0, problem: `no response: ${String(error)}` };
  }
  const text = response.text;
  responseLeaks.push(...findSecrets(describeRequest(request), text, secrets));
  if (response.status >= 500)
    return { request, status: response.status, problem: `answered ${response.status}: ${text.slice(0, 300)}` };
  if (response.status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return {
        request,
        status: response.status,
        problem: `a ${response.status} whose body is not JSON: ${text.slice(0, 200)}`,
      };
    }
    const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
    if (
      typeof code !== "string" ||
      !/^[A-Z][A-Z0-9_]+$/.test(code) ||
      typeof message !== "string" ||
      !("details" in (body as object))
    )
      return {
        request,
        status: response.status,
        problem: `a ${response.status} without { code, message, details }: ${text.slice(0, 200)}`,
      };
  }
  return { request, status: response.status };
}

async function sendAll(requests: FuzzRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const queue = [...requests];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let request = queue.shift(); request; request = queue.shift()) outcomes.push(await send(request));
    }),
  );
  return outcomes;
}

/** Counts for the report of a service's run. */
interface Tally {
  requests: number;
  byStatusClass: Record<string, number>;
  /** Refusals sent in a round with no successful write, and found to have changed nothing. */
  refusalsVerified: number;
  successfulWrites: number;
  rounds: number;
}

/** The settled state after the last round that was answered only with refusals: the next round's baseline. */
let settledBefore: string | undefined;

/**
 * Sends a batch and checks that its refusals changed nothing. A round in which some write
 * succeeded (a generated body can be valid) changes state by design, so its refusals are sent
 * again, alone, in a round of their own, until a round has no successful write: every refusal
 * is checked exactly, whatever the mix of a batch.
 */
async function sendAndCheckRefusals(batch: FuzzRequest[], tally: Tally): Promise<void> {
  let round = batch;
  while (round.length > 0) {
    const before = (settledBefore ??= await settledState());
    const outcomes = await sendAll(round);
    tally.rounds += 1;
    tally.requests += outcomes.length;
    for (const { status } of outcomes) {
      const statusClass = `${Math.floor(status / 100)}xx`;
      tally.byStatusClass[statusClass] = (tally.byStatusClass[statusClass] ?? 0) + 1;
    }
    const problems = outcomes.filter((outcome) => outcome.problem);
    if (problems.length > 0) {
      throw new Error(problems.map((outcome) => `${describeRequest(outcome.request)}: ${outcome.problem}`).join("\n"));
    }
    const refused = outcomes.filter((outcome) => outcome.status >= 400);
    const writes = outcomes.filter((outcome) => outcome.request.operation.mutating && outcome.status < 300);
    if (writes.length === 0) {
      expect(await settledState(), "rows or signers' nonces changed in a round answered only with refusals").toBe(
        before,
      );
      tally.refusalsVerified += refused.length;
      return;
    }
    settledBefore = undefined;
    tally.successfulWrites += writes.length;
    // Shorter each time: the writes are not sent again.
    round = refused.map((outcome) => outcome.request);
  }
}

describe("HTTP requests generated from the OpenAPI documents", () => {
  it.each(SERVICE_NAMES)(
    "%s: no 5xx, every refusal { code, message, details } and changing nothing, ready afterwards",
    async (service) => {
      const document = (await (await fetch(`${system.urls[service]}/docs/json`)).json()) as Parameters<
        typeof operationsOf
      >[1];
      const operations = operationsOf(service, document).filter((operation) => !operation.path.startsWith("/health"));
      expect(operations.length).toBeGreaterThanOrEqual(5);
      const batches = fuzzBatches(
        operations,
        BATCH_SIZE,
        CALLERS,
        (caller) => system.caller(caller).apiKey,
        await knownValues(),
      );

      const tally: Tally = { requests: 0, byStatusClass: {}, refusalsVerified: 0, successfulWrites: 0, rounds: 0 };
      settledBefore = undefined;
      const seen = new Set<string>();
      const startedAt = Date.now();
      await fc.assert(
        fc.asyncProperty(batches, async (batch) => {
          for (const { operation } of batch) seen.add(`${operation.method} ${operation.path}`);
          await sendAndCheckRefusals(batch, tally);
        }),
        {
          numRuns: Math.max(1, Math.round(REQUESTS_PER_SERVICE / BATCH_SIZE)),
          seed: SEED,
          endOnFailure: true,
          verbose: 0,
        },
      );

      console.info(
        `${service}: ${tally.requests} requests in ${tally.rounds} rounds, ${Math.round((Date.now() - startedAt) / 1000)} s ` +
          `(FUZZ_SEED=${SEED}); by status ${JSON.stringify(tally.byStatusClass)}; ` +
          `${tally.successfulWrites} successful writes; ${tally.refusalsVerified} refusals found to change nothing`,
      );
      expect([...seen].sort()).toEqual(operations.map((operation) => `${operation.method} ${operation.path}`).sort());
      expect(tally.refusalsVerified).toBeGreaterThan(0);
      for (const name of SERVICE_NAMES) {
        await waitFor(
          `${name} ready`,
          async () => (await fetch(`${system.urls[name]}/health/ready`)).status === 200,
          60_000,
        );
      }
      expect(describeLeaks(responseLeaks)).toBe("");
    },
    900_000,
  );
});

/** Every `@EventPattern` subject in the services' code, by service: what JetStream must show as consumers. */
// The events the message test causes itself before it copies them.
const CAUSED_HERE = ["grid.thresholds.updated", "facility.suspended", "facility.reinstated"];

/** The catalog's example of a subject as a valid event, made by a transaction that never was. */
function catalogExample(subject: string): EventJson {
  if (!isEventType(subject)) throw new Error(`${subject} is not in the event catalog`);
  const definition = eventCatalog[subject];
  const payload = (definition.payload as { parse(value: unknown): unknown }).parse(definition.example);
  const chain =
    definition.origin.kind === "chain"
      ? { txId: `0x${randomUUID().replaceAll("-", "").repeat(2)}`, blockHeight: 1 }
      : null;
  return createEvent(subject, payload as never, {
    chain,
    traceContext: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  }) as EventJson;
}

/** A valid event for an input the system consumes but never publishes (its catalog origin is external). */
function externalInput(subject: string, facilityId: number): EventJson | undefined {
  if (!isEventType(subject) || eventCatalog[subject].origin.kind !== "external") return undefined;
  const traceContext = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
  if (subject === "grid.prices.updated") {
    return createEvent(
      subject,
      { startsAt: hour, stepMinutes: 60, energyPricesMicroStxPerKwh: [40_000, 90_000, 35_000], source: "fuzz" },
      { traceContext },
    );
  }
  if (subject === "telemetry.reported") {
    const at = new Date(Math.floor(Date.now() / 2_000) * 2_000).toISOString();
    return createEvent(
      subject,
      { facilityId, samples: [{ at, powerW: 1_000, frequencyMilliHz: 50_010 }] },
      { traceContext },
    );
  }
  throw new Error(`no valid ${subject} input is known to this test`);
}

// Consumers of their own, outside the shared transport: batched, with no inbox (their writes are
// idempotent), so their valid copies are checked by what they stored.
const BATCH_CONSUMERS = ["grid telemetry.reported"];

async function consumedSubjectsInCode(): Promise<string[]> {
  const found: string[] = [...BATCH_CONSUMERS];
  for (const service of SERVICE_NAMES) {
    const root = fileURLToPath(new URL(`../../services/${service}/src/`, import.meta.url));
    for (const file of await readdir(root, { recursive: true })) {
      if (!file.endsWith(".ts")) continue;
      const source = await readFile(join(root, file), "utf8");
      for (const match of source.matchAll(/@EventPattern(?:<[^>]*>)?\(\s*"([^"]+)"/g))
        found.push(`${service} ${match[1]}`);
    }
  }
  return found.sort();
}

interface Consumer {
  service: ServiceName;
  subject: string;
  stream: string;
  durable: string;
}

/** The durable consumers of this system's streams, as JetStream reports them. */
async function consumersOnTheBus(): Promise<Consumer[]> {
  const nats = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nats);
    const consumers: Consumer[] = [];
    for await (const stream of jsm.streams.list()) {
      if (!stream.config.subjects?.some((subject) => subject.startsWith(system.stack.subjectPrefix))) continue;
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        const filter = consumer.config.filter_subject ?? "";
        consumers.push({
          service: consumer.name.split("__")[0] as ServiceName,
          subject: filter.slice(system.stack.subjectPrefix.length),
          stream: stream.config.name,
          durable: consumer.name,
        });
      }
    }
    return consumers;
  } finally {
    await nats.close();
  }
}

describe("malformed, oversized and schema-violating messages on every consumed subject", () => {
  it("dead-letters each bad message with a reason, then processes the next valid one, and nothing crashes", async () => {
    const admin = system.client("admin");
    // The events the demo did not cause: thresholds, a suspension and a reinstatement. The
    // suspension is of a facility registered and approved here, whatever the generated
    // requests before did to the demo's (an admin's suspend among them may have succeeded).
    const owner = system.caller("owner-2");
    const { facilityId: spare } = await system.client("owner-2").facilities.register({
      owner: owner.principal,
      name: "Dead-letter battery",
      location: "Substation 9, test feeder",
      capacityKwh: 1_000,
      maxPowerKw: 250,
    });
    await admin.facilities.approve(spare);
    await admin.flow.setThresholds({ lowThresholdPercent: 20, highThresholdPercent: 80 });
    await admin.facilities.suspend(spare);
    await admin.facilities.reinstate(spare);

    const consumers = await consumersOnTheBus();
    expect(consumers.map((consumer) => `${consumer.service} ${consumer.subject}`).sort()).toEqual(
      await consumedSubjectsInCode(),
    );
    const subjects = [...new Set(consumers.map((consumer) => consumer.subject))];
    const originals = new Map<string, EventJson>();
    for (const subject of subjects) {
      // Inputs from outside (prices, metering) are never published by the system: made here.
      const external = externalInput(subject, demoFacilities[0]);
      if (external) {
        originals.set(subject, external);
        continue;
      }
      // The events caused just above are waited for; one that nothing in this run caused (a
      // program cancelled or a facility withdrawn) is the catalog's example, as if from the chain.
      const seen = system.tail.events.find((candidate) => candidate.subject === subject);
      if (!seen && !CAUSED_HERE.includes(subject)) {
        originals.set(subject, catalogExample(subject));
        continue;
      }
      const tailed = await waitFor(
        `a ${subject} event to copy`,
        () => system.tail.events.find((candidate) => candidate.subject === subject),
        60_000,
      );
      originals.set(subject, tailed.event);
    }
    const pids = Object.fromEntries(SERVICE_NAMES.map((name) => [name, system.stack.services[name].pid]));

    const nats = await connect({ servers: natsUrl });
    const js = jetstream(nats);
    const publish = async (subject: string, data: string | Uint8Array) => {
      const eventId = randomUUID();
      const headers = natsHeaders();
      headers.set(EVENT_ID_HEADER, eventId);
      const ack = await js.publish(`${system.stack.subjectPrefix}${subject}`, data, { msgID: eventId, headers });
      return { eventId, seq: ack.seq };
    };
    // Just under the streams' 1 MiB message limit and NATS's default max payload, headers included;
    // the payload a string, so no event type accepts it.
    const oversized = (event: EventJson) => JSON.stringify({ ...event, payload: "x".repeat(1_040_000) });
    const bad = (event: EventJson): [string, string][] => [
      ["not JSON", "{ this is not json"],
      ["oversized", oversized(event)],
      ["wrong types", JSON.stringify({ ...event, occurredAt: 42, payload: { ...event.payload, facilityId: "seven" } })],
      ["missing fields", JSON.stringify({ eventId: event.eventId, type: event.type })],
      ["unknown enum", JSON.stringify({ ...event, type: "no.such.event", schemaVersion: 999 })],
    ];
    const sent: { subject: string; kind: string; eventId: string }[] = [];
    const valid: { subject: string; eventId: string; seq: number }[] = [];
    try {
      for (const subject of subjects) {
        const original = originals.get(subject)!;
        for (const [kind, data] of bad(original)) sent.push({ subject, kind, ...(await publish(subject, data)) });
        const copyId = randomUUID();
        const copy = await publish(subject, JSON.stringify({ ...original, eventId: copyId }));
        valid.push({ subject, ...copy });
      }
    } finally {
      await nats.close();
    }

    // The service's own account of its last faults, so a failure here names its cause.
    const loggedFaults = async (service: string): Promise<string[]> => {
      const log = system.logFiles.find((file) => file.endsWith(`${service}.log`));
      if (!log) return [];
      return (await readFile(log, "utf8"))
        .split("\n")
        .filter((line) => line.includes('"level":"error"'))
        .slice(-3);
    };
    for (const consumer of consumers) {
      const mine = sent.filter((message) => message.subject === consumer.subject);
      let missing: string[] = [];
      const letters = await waitFor(
        `${consumer.service} to dead-letter the ${mine.length} bad ${consumer.subject} messages`,
        async () => {
          // A service whose database is too busy to answer says so (503, Retry-After): ask again.
          // Busy it is here: its consumers hold the pool's connections while they dead-letter the
          // flood, and a listing that waits over 2 s for one was once a 500 (Prisma's P2028).
          const page = await admin
            .request<{ items: { eventId: string; consumer: string; errorCode: string }[] }>(
              consumer.service,
              "GET",
              "dead-letters",
              { query: { subject: consumer.subject, state: "all", limit: 50 } },
            )
            .catch(async (error: unknown) => {
              if (error instanceof ApiRequestError && error.code === "DATABASE_UNAVAILABLE") return undefined;
              throw new Error(
                `GET /dead-letters failed: ${(error as Error).message}; ${consumer.service} logged: ` +
                  (await loggedFaults(consumer.service)).join(" | "),
              );
            });
          if (!page) return undefined;
          const found = mine.map((message) =>
            page.items.find((letter) => letter.eventId === message.eventId && letter.consumer === consumer.durable),
          );
          missing = mine.filter((_message, index) => !found[index]).map((message) => message.kind);
          return missing.length === 0 ? found : undefined;
        },
        120_000,
      ).catch(async (error: unknown) => {
        throw new Error(
          `${(error as Error).message}; not dead-lettered: ${missing.join(", ")}; ` +
            `${consumer.service} logged: ${(await loggedFaults(consumer.service)).join(" | ")}`,
        );
      });
      mine.forEach((message, index) =>
        expect({ kind: message.kind, code: letters[index]!.errorCode }).toEqual({
          kind: message.kind,
          code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/),
        }),
      );
      expect(letters[0]!.errorCode).toBe("PAYLOAD_NOT_JSON");
    }

    // The valid copies went through each consumer: acknowledged, recorded in its inbox (or, for a
    // batch consumer, its samples stored), never dead-lettered.
    for (const consumer of consumers) {
      const copy = valid.find((message) => message.subject === consumer.subject)!;
      if (BATCH_CONSUMERS.includes(`${consumer.service} ${consumer.subject}`)) {
        const sample = (originals.get(consumer.subject)!.payload as { samples: { at: string }[] }).samples[0]!;
        await waitFor(
          `${consumer.durable} to store the valid ${consumer.subject} copy`,
          async () => {
            const { rowCount } = await pool.query(
              `SELECT 1 FROM "${system.stack.schemas[consumer.service]}".telemetry_minutes
               WHERE facility_id = $1 AND minute = date_trunc('minute', $2::timestamptz)`,
              [demoFacilities[0], sample.at],
            );
            return rowCount === 1;
          },
          60_000,
        );
      } else
        await waitFor(
          `${consumer.durable} to process the valid ${consumer.subject} copy`,
          async () => {
            const { rowCount } = await pool.query(
              `SELECT 1 FROM "${system.stack.schemas[consumer.service]}".inbox WHERE consumer = $1 AND event_id = $2`,
              [consumer.durable, copy.eventId],
            );
            return rowCount === 1;
          },
          60_000,
        );
      const { rowCount } = await pool.query(
        `SELECT 1 FROM "${system.stack.schemas[consumer.service]}".dead_letters WHERE event_id = $1`,
        [copy.eventId],
      );
      expect({ consumer: consumer.durable, deadLettered: rowCount }).toEqual({
        consumer: consumer.durable,
        deadLettered: 0,
      });
    }

    for (const name of SERVICE_NAMES) {
      await waitFor(
        `${name} ready`,
        async () => (await fetch(`${system.urls[name]}/health/ready`)).status === 200,
        60_000,
      );
      expect({ name, pid: system.stack.services[name].pid }).toEqual({ name, pid: pids[name] });
    }
  }, 300_000);
});

describe("secrets", () => {
  it("appear in no log line, no HTTP response and no message on the streams (payload or header)", async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4 + 4 + 10);
    const onStreams = await findSecretsInStreams(natsUrl, system.stack.subjectPrefix, secrets);
    expect(onStreams.messagesRead).toBeGreaterThan(0);
    const leaks = [...(await findSecretsInFiles(system.logFiles, secrets)), ...responseLeaks, ...onStreams.leaks];
    expect(describeLeaks(leaks)).toBe("");
  }, 120_000);
});
