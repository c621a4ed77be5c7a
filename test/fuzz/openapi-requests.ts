import fc from "fast-check";

/** The part of JSON Schema the services' OpenAPI documents use. */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: OpenApiParameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
    >
  >;
}

/** One operation of a service's OpenAPI document. */
export interface FuzzOperation {
  service: string;
  method: string;
  /** As in the document: `/facilities/{id}/approve`. */
  path: string;
  pathParameters: OpenApiParameter[];
  queryParameters: OpenApiParameter[];
  body?: JsonSchema;
  mutating: boolean;
}

/** A request as sent: everything already encoded. */
export interface FuzzRequest {
  operation: FuzzOperation;
  caller: string | undefined;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** What the generator meant, for a failure report. */
  shape: string;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

export function operationsOf(service: string, document: OpenApiDocument): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!METHODS.includes(method)) continue;
      const parameters = operation.parameters ?? [];
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        pathParameters: parameters.filter((parameter) => parameter.in === "path"),
        queryParameters: parameters.filter((parameter) => parameter.in === "query"),
        ...(operation.requestBody?.content?.["application/json"]?.schema
          ? { body: operation.requestBody.content["application/json"].schema }
          : {}),
        mutating: method !== "get",
      });
    }
  }
  return operations;
}

/** Entities of the running system, so that some requests reach past validation. */
export interface KnownValues {
  facilityIds: number[];
  requestIds: number[];
  principals: string[];
  txids: string[];
}

/** JSON nested `depth` levels deep, as text: JSON.stringify of such a value would itself recurse. */
function deeplyNested(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

/** Values that break careless parsing: out-of-range, fractional, NaN-like, unicode, control characters, long. */
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1.0000001,
    -2147483649,
    2147483647,
    2147483648,
    4294967296,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    1e21,
    1e308,
    -1e308,
    5e-324,
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "0x10",
    "-0",
    "١٢٣",
    "9".repeat(400),
    "",
    " ",
    "\u0000",
    "\ud800",
    "\u202e1",
    "null",
    "true",
    "<script>",
    "'; DROP TABLE facilities; --",
    "../../etc/passwd",
    "%00",
    true,
    false,
    null,
  ),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((value) => value.toString()),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)), maxLength: 10 }),
  fc.nat({ max: 20_000 }).map((length) => "x".repeat(length)),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

/** A value the schema accepts (as far as the schema alone can say). */
export function validValue(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((variant) => validValue(variant, known)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "integer": {
      const min = schema.minimum ?? 0;
      // Small realistic values mostly; the bounds themselves sometimes.
      const max = Math.min(schema.maximum ?? Number.MAX_SAFE_INTEGER, min + 10_000);
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min, max }) },
        { weight: 1, arbitrary: fc.constantFrom(min, schema.maximum ?? Number.MAX_SAFE_INTEGER) },
      );
    }
    case "number":
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1e9, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "string":
      return validString(schema, known);
    case "array": {
      const items = schema.items ? validValue(schema.items, known) : fc.jsonValue();
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    }
    case "object":
      return validObject(schema, known);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: JsonSchema, known: KnownValues): fc.Arbitrary<string> {
  const pattern = schema.pattern;
  if (pattern?.startsWith("^S") && known.principals.length > 0) return fc.constantFrom(...known.principals);
  if (pattern?.includes("[0-9a-f]{64}") && known.txids.length > 0) return fc.constantFrom(...known.txids);
  if (pattern) {
    // Decimal amounts: mostly small, so a valid write does not drain an account.
    if (/\\d/.test(pattern) && !/[a-z]/i.test(pattern.replace(/\\d/g, ""))) {
      return fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.stringMatching(new RegExp(pattern)));
    }
    return fc.stringMatching(new RegExp(pattern));
  }
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
}

function validObject(schema: JsonSchema, known: KnownValues): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property, known)]),
  );
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
}

/** A valid body with one thing wrong: a field of the wrong kind, a required one missing, one too many. */
function spoiledObject(schema: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  const names = Object.keys(schema.properties ?? {});
  const required = (schema.required ?? []).filter((name) => names.includes(name));
  const spoilers: fc.Arbitrary<(body: Record<string, unknown>) => unknown>[] = [
    fc
      .tuple(fc.string({ maxLength: 20 }), hostileValue)
      .map(([name, value]) => (body) => ({ ...body, [name || "extra"]: value })),
    // An own "__proto__" key, as JSON.parse makes it from a request body.
    fc.constant((body) =>
      Object.defineProperty({ ...body }, "__proto__", { value: { role: "admin" }, enumerable: true }),
    ),
  ];
  if (names.length > 0) {
    spoilers.push(
      fc.tuple(fc.constantFrom(...names), hostileValue).map(([name, value]) => (body) => ({ ...body, [name]: value })),
    );
  }
  if (required.length > 0) {
    spoilers.push(
      fc.constantFrom(...required).map((name) => (body) => {
        const rest = { ...body };
        delete rest[name];
        return rest;
      }),
    );
  }
  return fc.tuple(validObject(schema, known), fc.oneof(...spoilers)).map(([body, spoil]) => spoil(body));
}

/** A generated value as form or query text; objects as JSON, since some have no prototype to convert them. */
function asText(value: unknown): string {
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** A body as sent on the wire, with its content type. */
interface WireBody {
  contentType: string | undefined;
  body: string | undefined;
  shape: string;
}

const json = (value: unknown, shape: string): WireBody => ({
  contentType: "application/json",
  body: JSON.stringify(value),
  shape,
});

function wireBody(schema: JsonSchema | undefined, known: KnownValues): fc.Arbitrary<WireBody> {
  const valid = schema ? validValue(schema, known) : fc.constant({});
  const spoiled = schema?.type === "object" ? spoiledObject(schema, known) : hostileValue;
  return fc.oneof(
    { weight: 1, arbitrary: valid.map((value) => json(value, "valid body")) },
    { weight: 6, arbitrary: spoiled.map((value) => json(value, "body with one thing wrong")) },
    { weight: 3, arbitrary: hostileValue.map((value) => json(value, "body of the wrong kind")) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        valid.map((value) => ({ contentType: "text/plain", body: JSON.stringify(value), shape: "text/plain" })),
        valid.map((value) => ({
          contentType: "application/x-www-form-urlencoded",
          body: new URLSearchParams(
            Object.entries((value ?? {}) as Record<string, unknown>).map(([name, field]): [string, string] => [
              name,
              asText(field),
            ]),
          ).toString(),
          shape: "form",
        })),
        fc.constantFrom<WireBody>(
          { contentType: "application/json", body: '{"half": ', shape: "invalid JSON" },
          { contentType: "application/json", body: "{'single': 1}", shape: "invalid JSON" },
          { contentType: "application/json", body: "", shape: "empty JSON body" },
          { contentType: undefined, body: undefined, shape: "no body" },
          { contentType: "application/json; charset=utf-7", body: "{}", shape: "unsupported charset" },
          { contentType: "application/xml", body: "<a/>", shape: "xml" },
          { contentType: "application/json", body: deeplyNested(5_000), shape: "deeply nested" },
          {
            contentType: "application/json",
            body: JSON.stringify({ padding: "x".repeat(2_000_000) }),
            shape: "body over the limit",
          },
        ),
        valid.map((value) =>
          json(
            { ...(typeof value === "object" && value !== null ? value : {}), padding: "x".repeat(90_000) },
            "large body",
          ),
        ),
      ),
    },
  );
}

function pathValue(parameter: OpenApiParameter, known: KnownValues): fc.Arbitrary<string> {
  const real =
    parameter.name === "principal"
      ? known.principals
      : parameter.name === "txid"
        ? known.txids
        : parameter.name === "requestId"
          ? known.requestIds.map(String)
          : known.facilityIds.map(String);
  const odd = fc.oneof(
    fc.constantFrom(
      "0",
      "-1",
      "1.5",
      "1e3",
      "abc",
      "2147483648",
      "99999999999999999999999",
      "%00",
      "%ZZ",
      "..",
      "%2e%2e%2f",
      "%E2%80%AE1",
      "null",
      "undefined",
      "__proto__",
      "x".repeat(5_000),
    ),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map(encodeURIComponent),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  );
  return real.length > 0
    ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...real) }, { weight: 3, arbitrary: odd })
    : odd;
}

function queryString(parameters: OpenApiParameter[], known: KnownValues): fc.Arbitrary<string> {
  if (parameters.length === 0) return fc.constant("");
  const entries = parameters.map((parameter) =>
    fc.option(
      fc.oneof(
        {
          weight: 2,
          arbitrary: validValue(parameter.schema ?? {}, known).map((value) => [[parameter.name, asText(value)]]),
        },
        // Capped: a URL over Node's 16 KiB header limit is refused by the HTTP parser itself (431, no body).
        { weight: 2, arbitrary: hostileScalar.map((value) => [[parameter.name, asText(value).slice(0, 2_000)]]) },
        // Repeated and bracketed names: express's query parser turns these into arrays and objects.
        {
          weight: 1,
          arbitrary: fc.constant([
            [parameter.name, "1"],
            [parameter.name, "2"],
          ]),
        },
        { weight: 1, arbitrary: fc.constant([[`${parameter.name}[a]`, "1"]]) },
      ),
      { nil: [] as string[][] },
    ),
  );
  return fc.tuple(...entries).map((chosen) => {
    const pairs = chosen.flat() as unknown as [string, string][];
    return pairs.length > 0
      ? `?${new URLSearchParams(pairs).toString().replace(/%5B/g, "[").replace(/%5D/g, "]")}`
      : "";
  });
}

/** Batches of `size` requests, mostly invalid, some valid: one for every operation, then any, by any caller. */
export function fuzzBatches(
  operations: FuzzOperation[],
  size: number,
  callers: readonly string[],
  apiKeyOf: (caller: string) => string,
  known: KnownValues,
): fc.Arbitrary<FuzzRequest[]> {
  const requestFor = (operation: FuzzOperation) => fuzzRequest(operation, callers, apiKeyOf, known);
  // Every batch reaches every operation, whatever the number of batches.
  const sweep = fc.tuple(...operations.map(requestFor));
  const fill = Math.max(0, size - operations.length);
  const any = fc.constantFrom(...operations).chain(requestFor);
  return fc.tuple(sweep, fc.array(any, { minLength: fill, maxLength: fill })).map(([one, more]) => [...one, ...more]);
}

function fuzzRequest(
  operation: FuzzOperation,
  callers: readonly string[],
  apiKeyOf: (caller: string) => string,
  known: KnownValues,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      caller: fc.constantFrom<string | undefined>(undefined, ...callers),
      pathValues: fc.tuple(...operation.pathParameters.map((parameter) => pathValue(parameter, known))),
      query: queryString(operation.queryParameters, known),
      wire: operation.mutating
        ? wireBody(operation.body, known)
        : fc.constant<WireBody>({ contentType: undefined, body: undefined, shape: "read" }),
      idempotencyKey: fc.option(fc.stringMatching(/^[\x21-\x7e]{1,80}$/), { freq: 4 }),
    })
    .map(({ caller, pathValues, query, wire, idempotencyKey }) => {
      let path = operation.path;
      operation.pathParameters.forEach((parameter, index) => {
        path = path.replace(`{${parameter.name}}`, pathValues[index]!);
      });
      const headers: Record<string, string> = {};
      if (caller) headers.authorization = `Bearer ${apiKeyOf(caller)}`;
      if (wire.contentType) headers["content-type"] = wire.contentType;
      if (idempotencyKey !== null && operation.mutating) headers["idempotency-key"] = idempotencyKey;
      return { operation, caller, path: `${path}${query}`, headers, body: wire.body, shape: wire.shape };
    });
}
