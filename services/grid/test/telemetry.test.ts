import { Cl } from "@stacks/transactions";
import { jetstream } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "@voltstack/events";
import { PG_INTEGER_MAX } from "@voltstack/api";
import { expectAllRefusedSigningNothing } from "@voltstack/service-testing";
import { TelemetryRetentionScheduler } from "../src/telemetry/telemetry-retention.scheduler.js";
import { MinuteSlotBuffer, seriesFromMinutes } from "../src/telemetry/telemetry-slots.js";
import { call, confirmedCall, type Harness, startHarness, waitFor } from "./support/grid-harness.js";
import { seedProgramWithFacilities } from "./support/telemetry-read-model.js";

// Telemetry over HTTP and NATS into 2-second slots, read back as series. The read model's
// program and enrolments are seeded directly: the chain path that writes them is tested elsewhere.

let h: Harness;
const PROGRAM = 71;
const FACILITY = 7;
const OTHER_FACILITY = 8;
const UNKNOWN_FACILITY = 9_999;
const traceContext = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

// A whole minute ten minutes ago: inside the accepted window, whatever the test's pace.
const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const at = (seconds: number) => new Date(minute + seconds * 1_000).toISOString();
const window = (fromSeconds: number, toSeconds: number) => `from=${at(fromSeconds)}&to=${at(toSeconds)}`;

type Series = { from: string; stepSeconds: number; powerW: (number | null)[]; frequencyMilliHz: (number | null)[] };

async function series(facilityId: number, query: string): Promise<Series> {
  const response = await call(h, "GET", `/facilities/${facilityId}/telemetry?${query}`, { key: h.keys.admin });
  expect(response.status).toBe(200);
  return response.body as unknown as Series;
}

async function publish(payload: unknown, options: { raw?: string; envelopeFacilityId?: number } = {}): Promise<void> {
  const js = jetstream(h.nats);
  const body =
    options.raw ??
    JSON.stringify({
      ...createEvent("telemetry.reported", payload as never, { traceContext }),
      ...(options.envelopeFacilityId === undefined ? {} : { facilityId: options.envelopeFacilityId }),
    });
  const subject = `${h.subjectPrefix}telemetry.reported`;
  // The consumer declares the TELEMETRY stream once the service started.
  await waitFor("the TELEMETRY stream", () =>
    js.publish(subject, body, { headers: headers() }).then(
      () => true,
      () => false,
    ),
  );
}

beforeAll(async () => {
  h = await startHarness();
  await seedProgramWithFacilities(h.db, PROGRAM, [FACILITY, OTHER_FACILITY]);
  // The meter key's principal is a scoring oracle: a metering gateway the platform runs.
  await confirmedCall(h, h.accounts.deployer, "grid-services", "set-oracle", [
    Cl.principal(h.accounts.wallet_3.address),
    Cl.bool(true),
  ]);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe("grid service: telemetry", () => {
  it("puts out-of-order and repeated samples once in their 2-second slots and reads a gap as null", async () => {
    const samples = [
      { at: at(4), powerW: 400, frequencyMilliHz: 49_950 },
      { at: at(0), powerW: 100, storedWh: 5_000, frequencyMilliHz: 50_010 },
      { at: at(1), powerW: 150 },
    ];
    const first = await call(h, "POST", `/facilities/${FACILITY}/telemetry`, { key: h.keys.meter, body: { samples } });
    expect([first.status, first.body]).toEqual([200, { facilityId: FACILITY, accepted: 3, slots: 2 }]);
    const again = await call(h, "POST", `/facilities/${FACILITY}/telemetry`, { key: h.keys.meter, body: { samples } });
    expect(again.status).toBe(200);

    const read = await series(FACILITY, window(0, 8));
    // 0 s and 1 s share the first slot: the later sample's power wins, the earlier's frequency stays.
    expect(read).toEqual({
      facilityId: FACILITY,
      from: at(0),
      stepSeconds: 2,
      powerW: [150, null, 400, null],
      storedWh: [5_000, null, null, null],
      frequencyMilliHz: [50_010, null, 49_950, null],
    });
    const rows = await h.db.query("SELECT count(*)::int AS n FROM telemetry_minutes WHERE facility_id = $1", [
      FACILITY,
    ]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("keeps both of two concurrent batches for the same minute, each in its own slots", async () => {
    const batch = (first: number) =>
      Array.from({ length: 10 }, (_, i) => ({ at: at(20 + (first + 2 * i) * 2), powerW: first * 1_000 + i }));
    const answers = await Promise.all(
      [0, 1].map((first) =>
        call(h, "POST", `/facilities/${OTHER_FACILITY}/telemetry`, {
          key: h.keys.meter,
          body: { samples: batch(first) },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const read = await series(OTHER_FACILITY, window(20, 60));
    expect(read.powerW).toEqual(Array.from({ length: 20 }, (_, step) => (step % 2) * 1_000 + Math.floor(step / 2)));
  });

  it("refuses a bad body, a sample from the future, an unknown facility and a too long window, storing nothing", async () => {
    const before = await h.db.query("SELECT sum(cardinality(power_w))::int AS n FROM telemetry_minutes");
    const cases: [string, unknown, number, string][] = [
      [`/facilities/${FACILITY}/telemetry`, { samples: [{ at: at(30), powerW: 1.5 }] }, 400, "VALIDATION_FAILED"],
      [`/facilities/${FACILITY}/telemetry`, { samples: [] }, 400, "VALIDATION_FAILED"],
      [
        `/facilities/${FACILITY}/telemetry`,
        { samples: [{ at: at(30), powerW: 1 }], extra: 1 },
        400,
        "VALIDATION_FAILED",
      ],
      [
        `/facilities/${FACILITY}/telemetry`,
        {
          samples: [
            { at: at(30), powerW: 1 },
            { at: new Date(Date.now() + 600_000).toISOString(), powerW: 2 },
          ],
        },
        400,
        "TELEMETRY_SAMPLE_IN_FUTURE",
      ],
      [
        `/facilities/${UNKNOWN_FACILITY}/telemetry`,
        { samples: [{ at: at(30), powerW: 1 }] },
        404,
        "FACILITY_NOT_FOUND",
      ],
      [
        `/programs/${PROGRAM + 1}/regulation-signal`,
        { samples: [{ at: at(30), valueBps: 1 }] },
        404,
        "ERR_PROGRAM_NOT_FOUND",
      ],
      [
        `/programs/${PROGRAM}/regulation-signal`,
        { samples: [{ at: at(30), valueBps: 10_001 }] },
        400,
        "VALIDATION_FAILED",
      ],
    ];
    for (const [path, body, status, code] of cases) {
      const response = await call(h, "POST", path, { key: h.keys.meter, body });
      expect([path, response.status, response.body.code]).toEqual([path, status, code]);
    }
    const owner = await call(h, "POST", `/facilities/${FACILITY}/telemetry`, {
      key: h.keys.owner,
      body: { samples: [{ at: at(30), powerW: 1 }] },
    });
    expect([owner.status, owner.body.code]).toEqual([403, "ROLE_NOT_ALLOWED"]);
    // An operator key whose principal is neither an oracle nor the facility's owner or operator.
    const stranger = await call(h, "POST", `/facilities/${FACILITY}/telemetry`, {
      key: h.keys.facilityOperator,
      body: { samples: [{ at: at(30), powerW: 1 }] },
    });
    expect([stranger.status, stranger.body.code]).toEqual([403, "TELEMETRY_NOT_AUTHORIZED"]);
    const signal = await call(h, "POST", `/programs/${PROGRAM}/regulation-signal`, {
      key: h.keys.facilityOperator,
      body: { samples: [{ at: at(30), valueBps: 1 }] },
    });
    expect([signal.status, signal.body.code]).toEqual([403, "TELEMETRY_NOT_AUTHORIZED"]);
    const tooLong = await call(h, "GET", `/facilities/${FACILITY}/telemetry?${window(0, 6 * 3_600 + 2)}`, {
      key: h.keys.admin,
    });
    expect([tooLong.status, tooLong.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    const after = await h.db.query("SELECT sum(cardinality(power_w))::int AS n FROM telemetry_minutes");
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await series(FACILITY, window(30, 32))).powerW).toEqual([null]);
  });

  it("refuses every integer one past its bound with 400 naming the field and the bound", async () => {
    const telemetry = (sample: Record<string, number>) => ({
      method: "POST",
      path: `/facilities/${FACILITY}/telemetry`,
      body: { samples: [{ at: at(50), powerW: 1, ...sample }] },
      key: h.keys.meter,
    });
    await expectAllRefusedSigningNothing(h, [
      { ...telemetry({ powerW: 2_000_000_001 }), field: "samples.0.powerW", maximum: 2_000_000_000 },
      { ...telemetry({ storedWh: 2_000_000_001 }), field: "samples.0.storedWh", maximum: 2_000_000_000 },
      { ...telemetry({ frequencyMilliHz: 70_001 }), field: "samples.0.frequencyMilliHz", maximum: 70_000 },
      {
        method: "POST",
        path: `/programs/${PROGRAM}/regulation-signal`,
        body: { samples: [{ at: at(50), valueBps: 10_001 }] },
        key: h.keys.admin,
        field: "samples.0.valueBps",
        maximum: 10_000,
      },
      {
        method: "GET",
        path: `/facilities/${PG_INTEGER_MAX + 1}/telemetry?${window(0, 2)}`,
        key: h.keys.admin,
        field: "",
        maximum: PG_INTEGER_MAX,
      },
    ]);
  });

  it("stores a program's regulation signal and reads it back per 2-second step", async () => {
    const samples = [
      { at: at(2), valueBps: -10_000 },
      { at: at(6), valueBps: 2_500 },
    ];
    const posted = await call(h, "POST", `/programs/${PROGRAM}/regulation-signal`, {
      key: h.keys.admin,
      body: { samples },
    });
    expect([posted.status, posted.body]).toEqual([200, { programId: PROGRAM, accepted: 2, slots: 2 }]);
    const read = await call(h, "GET", `/programs/${PROGRAM}/regulation-signal?${window(0, 8)}`, { key: h.keys.admin });
    expect(read.body).toEqual({
      programId: PROGRAM,
      from: at(0),
      stepSeconds: 2,
      valueBps: [null, -10_000, null, 2_500],
    });
  });

  it("stores telemetry.reported from NATS, dead-letters poison messages and still stores the next one", async () => {
    // JSON that is no event (the harness reads every message under its prefix as JSON).
    await publish({}, { raw: JSON.stringify({ facilityId: FACILITY }) });
    await publish(
      { facilityId: FACILITY, samples: [{ at: at(40), powerW: 1 }] },
      { envelopeFacilityId: OTHER_FACILITY },
    );
    await publish({ facilityId: UNKNOWN_FACILITY, samples: [{ at: at(40), powerW: 1 }] });
    await publish({ facilityId: FACILITY, samples: [{ at: at(42), powerW: 4_200, frequencyMilliHz: 49_900 }] });

    const read = await waitFor("the NATS sample stored", async () => {
      const current = await series(FACILITY, window(40, 44));
      return current.powerW[1] === 4_200 ? current : undefined;
    });
    expect(read.powerW).toEqual([null, 4_200]);
    expect(read.frequencyMilliHz).toEqual([null, 49_900]);
    const letters = await waitFor("three dead letters", async () => {
      const { rows } = await h.db.query<{ error_code: string }>(
        "SELECT error_code FROM dead_letters WHERE subject = 'telemetry.reported' ORDER BY stream_seq",
      );
      return rows.length === 3 ? rows.map((row) => row.error_code) : undefined;
    });
    expect(letters).toEqual(["EVENT_INVALID", "EVENT_INVALID", "FACILITY_NOT_FOUND"]);
  });

  it("hands a batch back while the database refuses it, dead-letters nothing, and stores it once it can", async () => {
    await h.db.query("ALTER TABLE telemetry_minutes RENAME TO telemetry_minutes_away");
    try {
      await publish({ facilityId: FACILITY, samples: [{ at: at(46), powerW: 4_600 }] });
      // Long enough for several deliveries to fail.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await h.db.query("ALTER TABLE telemetry_minutes_away RENAME TO telemetry_minutes");
    }
    const read = await waitFor("the held sample stored", async () => {
      const current = await series(FACILITY, window(46, 48));
      return current.powerW[0] === 4_600 ? current : undefined;
    });
    expect(read.powerW).toEqual([4_600]);
    const { rows } = await h.db.query(
      "SELECT count(*)::int AS n FROM dead_letters WHERE subject = 'telemetry.reported'",
    );
    expect(rows[0].n).toBe(3);
  });

  it("deletes minutes older than the retention and keeps the rest", async () => {
    const retention = h.service.app.get(TelemetryRetentionScheduler);
    const count = async () =>
      (await h.db.query("SELECT count(*)::int AS n FROM telemetry_minutes WHERE facility_id = $1", [FACILITY])).rows[0]
        .n as number;
    expect(await count()).toBe(1);
    expect(await retention.runOnce(new Date(minute + 34 * 86_400_000))).toBe(0);
    expect(await count()).toBe(1);
    expect(await retention.runOnce(new Date(minute + 35 * 86_400_000 + 60_000))).toBeGreaterThanOrEqual(2);
    expect(await count()).toBe(0);
  });
});

describe("2-second slots", () => {
  it("reads back, for any samples in any order, the latest sample of each slot at its step and null elsewhere", () => {
    const start = Date.parse("2026-12-06T10:00:00.000Z");
    const sample = fc.record({ offsetMs: fc.integer({ min: 0, max: 3 * 60_000 - 1 }), powerW: fc.integer() });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 60 }), (samples) => {
        const buffer = new MinuteSlotBuffer(1);
        buffer.add(
          FACILITY,
          samples.map((s) => ({ atMs: start + s.offsetMs, values: [s.powerW] })),
        );
        const [read] = seriesFromMinutes(buffer.rows(), new Date(start), new Date(start + 3 * 60_000), 1);
        const expected = new Array<number | null>(90).fill(null);
        const latest = new Array<number>(90).fill(-1);
        for (const s of samples) {
          const step = Math.floor(s.offsetMs / 2_000);
          // Of two samples at the same instant the one added later wins, as a later batch would.
          if (s.offsetMs >= latest[step]!) {
            latest[step] = s.offsetMs;
            expected[step] = s.powerW;
          }
        }
        expect(read).toEqual(expected);
        expect(buffer.slotCount()).toBe(expected.filter((value) => value !== null).length);
      }),
      { numRuns: 50, seed: 20261206 },
    );
  });
});
