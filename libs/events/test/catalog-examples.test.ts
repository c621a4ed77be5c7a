import { describe, expect, it } from "vitest";
import { eventCatalog, eventTypes, type EventType } from "@voltstack/events";
import type { ZodType } from "zod";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const BAD_CHECKSUM = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGN";
const PRINCIPAL = /^S[MNPT][0-9A-Z]+(\.[\w-]+)?$/;

// Fields the examples show that a payload may leave out, and numbers that may be negative
// (prices the grid pays, power flowing in): named by field, wherever they sit in the payload.
const OPTIONAL_FIELDS: Partial<Record<EventType, string[]>> = {
  "grid.prices.updated": ["source"],
  "telemetry.reported": ["storedWh", "frequencyMilliHz"],
};
const SIGNED_FIELDS: Partial<Record<EventType, string[]>> = {
  "grid.prices.updated": ["energyPricesMicroStxPerKwh"],
  "telemetry.reported": ["powerW"],
};
const namedIn = (names: string[] | undefined, path: Path) => path.some((key) => names?.includes(String(key)));

function payloadSchema(type: EventType): ZodType {
  return eventCatalog[type].payload as ZodType;
}

function example(type: EventType): Json {
  return structuredClone(eventCatalog[type].example) as Json;
}

function leaves(value: Json, path: Path = []): { path: Path; value: Json }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, index]));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  return [{ path, value }];
}

function withValue(root: Json, path: Path, replacement: Json | undefined): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

function badValuesFor(type: EventType, path: Path, value: Json): Json[] {
  const field = String(path[path.length - 1]);
  if (typeof value === "number")
    return [...(namedIn(SIGNED_FIELDS[type], path) ? [] : [-1]), value + 0.5, 2 ** 53, "1"];
  if (typeof value === "string" && field.endsWith("Ustx")) {
    return ["-1", "1.5", "01", "1e6", "340282366920938463463374607431768211456", 1, ""];
  }
  if (typeof value === "string" && PRINCIPAL.test(value))
    return [BAD_CHECKSUM, "0x1234", value.toLowerCase(), `${value}.1bad-name`, 7];
  if (typeof value === "boolean") return ["true", 1];
  return [];
}

describe.each(eventTypes)("%s payload", (type) => {
  it("accepts the catalog's example", () => {
    expect(payloadSchema(type).safeParse(example(type)).success).toBe(true);
  });

  it("rejects the example without any one of its fields", () => {
    const original = example(type);
    const fields = leaves(original)
      .map(({ path }) => path)
      .filter((path) => !namedIn(OPTIONAL_FIELDS[type], path));
    expect(fields.length).toBeGreaterThan(0);
    for (const optional of OPTIONAL_FIELDS[type] ?? []) {
      const path = leaves(original).find(({ path }) => path[path.length - 1] === optional)!.path;
      expect(payloadSchema(type).safeParse(withValue(original, path, undefined)).success, `without ${optional}`).toBe(
        true,
      );
    }
    for (const path of fields) {
      expect(
        payloadSchema(type).safeParse(withValue(original, path, undefined)).success,
        `missing ${path.join(".")}`,
      ).toBe(false);
    }
  });

  it("rejects negative, fractional, oversized and mistyped numbers, amounts and principals", () => {
    const original = example(type);
    let tried = 0;
    for (const { path, value } of leaves(original)) {
      for (const bad of badValuesFor(type, path, value)) {
        tried += 1;
        const result = payloadSchema(type).safeParse(withValue(original, path, bad));
        expect(result.success, `${path.join(".")} = ${JSON.stringify(bad)}`).toBe(false);
      }
    }
    expect(tried).toBeGreaterThan(0);
  });

  it("rejects a payload that is not an object", () => {
    for (const bad of [null, [], "payload", 1]) expect(payloadSchema(type).safeParse(bad).success).toBe(false);
  });
});
