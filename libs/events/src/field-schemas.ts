import { z } from "zod";

// Clarity uint is 128 bits: the largest micro-STX amount a contract can print.
const MAX_UINT128 = 2n ** 128n - 1n;

/** Micro-STX: a decimal string on the wire (bigint-safe), a bigint in TypeScript. */
export const ustxSchema = z.codec(
  z
    .string()
    .regex(/^(0|[1-9]\d{0,38})$/, "must be a non-negative whole number of micro-STX written in decimal digits")
    .meta({
      description: "Amount in micro-STX (1 STX = 1,000,000 micro-STX) as a decimal string, no sign, no leading zeros",
      examples: ["1500000"],
    }),
  z.bigint().nonnegative().max(MAX_UINT128),
  { decode: (digits) => BigInt(digits), encode: (amount) => amount.toString() },
);

/** An identifier a contract assigns, counted from 1. */
export const entityIdSchema = z
  .int()
  .positive()
  .meta({ description: "Identifier assigned by the contract, counted from 1" });

export const kwhSchema = z.int().nonnegative().meta({ description: "Energy in kilowatt-hours" });
export const positiveKwhSchema = z.int().positive().meta({ description: "Energy in kilowatt-hours, at least 1" });
export const positiveKwSchema = z.int().positive().meta({ description: "Power in kilowatts, at least 1" });

/** Basis points: 10,000 = 100 %. */
export const bpsSchema = z.int().nonnegative().max(10_000).meta({ description: "Basis points: 10000 = 100 %" });
export const percentSchema = z.int().nonnegative().max(100).meta({ description: "Percentage, 0 to 100" });
export const milliHzSchema = z.int().nonnegative().meta({ description: "Frequency in millihertz: 50 Hz = 50000" });
export const blockHeightSchema = z.int().nonnegative().meta({ description: "Stacks block height" });
export const versionNumberSchema = z.int().positive().meta({ description: "Version number, counted from 1" });

/** Clarity `string-ascii`: printable ASCII up to `max` characters. */
export function asciiTextSchema(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(/^[\x20-\x7E]*$/, "must be printable ASCII");
}

/** Clarity `string-utf8`: up to `max` characters. */
export function utf8TextSchema(max: number, min = 0) {
  return z.string().min(min).max(max);
}

/** A Stacks transaction id: 0x and 64 lowercase hex digits, as the Stacks API shows it. */
export const txIdSchema = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "must be 0x followed by 64 lowercase hex digits")
  .meta({
    description: "Stacks transaction id",
    examples: ["0x5b4e9f4a3c1d2e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7"],
  });

/** W3C Trace Context `traceparent`, version 00, with non-zero trace and span ids. */
export const traceparentSchema = z
  .string()
  .regex(
    /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/,
    "must be a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>)",
  )
  .meta({
    description: "W3C Trace Context traceparent",
    examples: ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
  });

/** W3C Trace Context `tracestate`: vendor entries, passed on unchanged. */
export const tracestateSchema = z.string().max(8192).meta({ description: "W3C Trace Context tracestate" });
