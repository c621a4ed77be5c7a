import { type ClarityValue, ClarityType, hexToCV } from "@stacks/transactions";
import { ChainError } from "./chain-error.js";

/**
 * A Clarity value as plain TypeScript: uint/int -> bigint, strings and principals ->
 * string, bool -> boolean, none -> null, some -> its value, buffer -> hex string,
 * list -> array, tuple -> object with camelCase keys, responses -> { ok } / { err }.
 */
export type PlainValue =
  | bigint
  | string
  | boolean
  | null
  | PlainValue[]
  | { [key: string]: PlainValue }
  | { ok: PlainValue }
  | { err: PlainValue };

export function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function toPlain(cv: ClarityValue): PlainValue {
  switch (cv.type) {
    case ClarityType.UInt:
    case ClarityType.Int:
      return BigInt(cv.value);
    case ClarityType.BoolTrue:
      return true;
    case ClarityType.BoolFalse:
      return false;
    case ClarityType.StringUTF8:
      // Anyone may put U+0000 in a string from a wallet (a facility's name, say), and no read
      // model can store it (PostgreSQL's text cannot): it reads as U+FFFD, so one such string
      // cannot stop a follower for good.
      return cv.value.replaceAll("\u0000", "\uFFFD");
    case ClarityType.StringASCII:
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
    case ClarityType.Buffer:
      return cv.value;
    case ClarityType.OptionalNone:
      return null;
    case ClarityType.OptionalSome:
      return toPlain(cv.value);
    case ClarityType.List:
      return cv.value.map(toPlain);
    case ClarityType.Tuple:
      return Object.fromEntries(Object.entries(cv.value).map(([k, v]) => [camelCase(k), toPlain(v)]));
    case ClarityType.ResponseOk:
      return { ok: toPlain(cv.value) };
    case ClarityType.ResponseErr:
      return { err: toPlain(cv.value) };
  }
}

export function decodeHex(hex: string): ClarityValue {
  try {
    return hexToCV(hex);
  } catch (cause) {
    throw new ChainError(
      "UNDECODABLE_CLARITY_VALUE",
      "A Clarity value from the node could not be decoded.",
      { hex: hex.slice(0, 80) },
      { cause },
    );
  }
}

/** Narrowing readers for typed decoders: each throws a clear error when the shape is not the expected one. */
export function expectUint(cv: ClarityValue, what: string): bigint {
  if (cv.type !== ClarityType.UInt) throw shapeError(what, "uint", cv);
  return BigInt(cv.value);
}

export function expectBool(cv: ClarityValue, what: string): boolean {
  if (cv.type === ClarityType.BoolTrue) return true;
  if (cv.type === ClarityType.BoolFalse) return false;
  throw shapeError(what, "bool", cv);
}

export function expectOptional(cv: ClarityValue, what: string): ClarityValue | null {
  if (cv.type === ClarityType.OptionalNone) return null;
  if (cv.type === ClarityType.OptionalSome) return cv.value;
  throw shapeError(what, "optional", cv);
}

export function expectPrincipal(cv: ClarityValue, what: string): string {
  if (cv.type === ClarityType.PrincipalStandard || cv.type === ClarityType.PrincipalContract) return cv.value;
  throw shapeError(what, "principal", cv);
}

function shapeError(what: string, expected: string, cv: ClarityValue): ChainError {
  return new ChainError(
    "UNEXPECTED_CLARITY_TYPE",
    `Expected ${what} to be ${expected} but the node returned ${cv.type}.`,
    { what, expected, actual: cv.type },
  );
}
