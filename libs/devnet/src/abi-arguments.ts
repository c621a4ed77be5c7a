// Checks contract-call arguments against a function's ABI before admission, as
// the node's mempool does (BadFunctionArgument), and renders ABI types in
// Clarity syntax for the API's function_signature and function_args.
import { ClarityType, type ClarityValue } from "@stacks/transactions";

export type AbiType =
  | string
  | { buffer: { length: number } }
  | { "string-ascii": { length: number } }
  | { "string-utf8": { length: number } }
  | { optional: AbiType }
  | { response: { ok: AbiType; error: AbiType } }
  | { tuple: { name: string; type: AbiType }[] }
  | { list: { type: AbiType; length: number } };

export interface AbiFunction {
  name: string;
  access: "public" | "read_only" | "private";
  args: { name: string; type: AbiType }[];
  outputs: { type: AbiType };
}

export function abiTypeToString(type: AbiType): string {
  if (typeof type === "string") {
    if (type === "uint128") return "uint";
    if (type === "int128") return "int";
    if (type === "trait_reference") return "<trait>";
    return type;
  }
  if ("buffer" in type) return `(buff ${type.buffer.length})`;
  if ("string-ascii" in type) return `(string-ascii ${type["string-ascii"].length})`;
  if ("string-utf8" in type) return `(string-utf8 ${type["string-utf8"].length})`;
  if ("optional" in type) return `(optional ${abiTypeToString(type.optional)})`;
  if ("response" in type)
    return `(response ${abiTypeToString(type.response.ok)} ${abiTypeToString(type.response.error)})`;
  if ("tuple" in type)
    return `(tuple ${type.tuple.map((field) => `(${field.name} ${abiTypeToString(field.type)})`).join(" ")})`;
  return `(list ${type.list.length} ${abiTypeToString(type.list.type)})`;
}

export function functionSignature(fn: AbiFunction): string {
  const access = fn.access === "read_only" ? "read-only" : fn.access;
  const args = fn.args.map((arg) => `(${arg.name} ${abiTypeToString(arg.type)})`).join(" ");
  return `(define-${access} (${fn.name}${args ? ` ${args}` : ""}))`;
}

/** Whether a value fits a type; returns a sentence saying why not, or undefined when it fits. */
export function argumentMismatch(value: ClarityValue, type: AbiType, path: string): string | undefined {
  const fail = (expected: string) => `${path}: expected ${expected}, got ${value.type}`;
  if (typeof type === "string") {
    switch (type) {
      case "uint128":
        return value.type === ClarityType.UInt ? undefined : fail("uint");
      case "int128":
        return value.type === ClarityType.Int ? undefined : fail("int");
      case "bool":
        return value.type === ClarityType.BoolTrue || value.type === ClarityType.BoolFalse ? undefined : fail("bool");
      case "principal":
      case "trait_reference":
        return value.type === ClarityType.PrincipalStandard || value.type === ClarityType.PrincipalContract
          ? undefined
          : fail("principal");
      default:
        return undefined;
    }
  }
  if ("buffer" in type) {
    if (value.type !== ClarityType.Buffer) return fail("buff");
    return value.value.length / 2 <= type.buffer.length
      ? undefined
      : `${path}: buffer longer than ${type.buffer.length} bytes`;
  }
  if ("string-ascii" in type) {
    if (value.type !== ClarityType.StringASCII) return fail("string-ascii");
    return value.value.length <= type["string-ascii"].length
      ? undefined
      : `${path}: string longer than ${type["string-ascii"].length}`;
  }
  if ("string-utf8" in type) {
    if (value.type !== ClarityType.StringUTF8) return fail("string-utf8");
    return [...value.value].length <= type["string-utf8"].length
      ? undefined
      : `${path}: string longer than ${type["string-utf8"].length}`;
  }
  if ("optional" in type) {
    if (value.type === ClarityType.OptionalNone) return undefined;
    if (value.type !== ClarityType.OptionalSome) return fail("optional");
    return argumentMismatch(value.value, type.optional, `${path}.some`);
  }
  if ("response" in type) {
    if (value.type === ClarityType.ResponseOk) return argumentMismatch(value.value, type.response.ok, `${path}.ok`);
    if (value.type === ClarityType.ResponseErr)
      return argumentMismatch(value.value, type.response.error, `${path}.err`);
    return fail("response");
  }
  if ("tuple" in type) {
    if (value.type !== ClarityType.Tuple) return fail("tuple");
    const names = Object.keys(value.value);
    if (names.length !== type.tuple.length) return `${path}: tuple has fields ${names.join(", ")}`;
    for (const field of type.tuple) {
      const fieldValue = value.value[field.name];
      if (fieldValue === undefined) return `${path}: tuple lacks field ${field.name}`;
      const mismatch = argumentMismatch(fieldValue, field.type, `${path}.${field.name}`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (value.type !== ClarityType.List) return fail("list");
  if (value.value.length > type.list.length) return `${path}: list longer than ${type.list.length}`;
  for (const [index, item] of value.value.entries()) {
    const mismatch = argumentMismatch(item, type.list.type, `${path}[${index}]`);
    if (mismatch) return mismatch;
  }
  return undefined;
}
