import { z } from "zod";

// Builders for environment variables. Every variable arrives as a string or not at
// all; loadConfig treats an empty string as unset, as Kubernetes and shells often leave it.

const required = {
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required but not set" : "must be a string"),
};

/** A whole number within [min, max]; required unless a default is given. */
export function envInt(options: {
  min?: number;
  max?: number;
  default: number;
}): z.ZodDefault<ReturnType<typeof intSchema>>;
export function envInt(options?: { min?: number; max?: number }): ReturnType<typeof intSchema>;
export function envInt(options: { min?: number; max?: number; default?: number } = {}) {
  const schema = intSchema(options.min ?? 0, options.max ?? Number.MAX_SAFE_INTEGER);
  return options.default === undefined ? schema : schema.default(options.default);
}

function intSchema(min: number, max: number) {
  return z
    .string(required)
    .regex(/^-?\d+$/, { error: `must be a whole number between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );
}

/** A URL whose scheme is one of `protocols` (without "://"); required unless a default is given. */
export function envUrl(options: { protocols: string[]; default: string }): z.ZodDefault<ReturnType<typeof urlSchema>>;
export function envUrl(options: { protocols: string[] }): ReturnType<typeof urlSchema>;
export function envUrl(options: { protocols: string[]; default?: string }) {
  const schema = urlSchema(options.protocols);
  return options.default === undefined ? schema : schema.default(options.default);
}

function urlSchema(protocols: string[]) {
  const schemes = protocols.map((p) => `${p}://`).join(" or ");
  return z
    .string(required)
    .refine((value) => URL.canParse(value), { error: `must be a URL starting with ${schemes}` })
    .refine((value) => !URL.canParse(value) || protocols.includes(new URL(value).protocol.slice(0, -1)), {
      error: `must start with ${schemes}`,
    });
}

/** A PostgreSQL schema name that needs no quoting (add .default() with the service's name). */
export function envSchemaName() {
  return z.string(required).regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a lower-case PostgreSQL schema name" });
}

/** One of a fixed set of words. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (issue.input === undefined ? "is required but not set" : `must be one of ${values.join(", ")}`),
  });
}

/** Free text, required (add .default() or .optional() as needed). */
export function envString() {
  return z.string(required);
}

/** A JSON document validated by `schema` (add .optional() when it may be unset). */
export function envJson<T extends z.ZodType>(schema: T) {
  return z
    .string(required)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A comma-separated list of non-empty words. */
export function envList() {
  return z.string(required).transform((text) =>
    text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );
}
