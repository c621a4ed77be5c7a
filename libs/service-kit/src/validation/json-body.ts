import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The deepest nesting of arrays and objects a JSON request body may have. The services' bodies
 * are flat records; a body thousands of levels deep would overflow the stack of every recursive
 * step after parsing (validation, the Idempotency-Key fingerprint) and answer a 500.
 */
export const MAX_JSON_BODY_DEPTH = 32;

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** An error express's body parser passes on with its status and type (mapped in ApiErrorFilter). */
function bodyRefusal(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

/**
 * The body parser's `verify` step for JSON: refuses, before parsing, a body nested deeper than
 * MAX_JSON_BODY_DEPTH (400 entity.too.deep) and one in another charset than UTF-8, which JSON
 * between systems must use (RFC 8259) and which the depth scan reads byte by byte (415).
 */
export function verifyJsonBody(_request: IncomingMessage, _response: ServerResponse, body: Buffer, encoding: string) {
  if (encoding.toLowerCase().replace("-", "") !== "utf8")
    throw bodyRefusal(415, "charset.unsupported", `unsupported charset "${encoding.toUpperCase()}"`);
  let depth = 0;
  let inString = false;
  // Structural characters are ASCII; UTF-8 never uses ASCII bytes inside a multi-byte character.
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth += 1;
      if (depth > MAX_JSON_BODY_DEPTH)
        throw bodyRefusal(400, "entity.too.deep", `The request body nests deeper than ${MAX_JSON_BODY_DEPTH} levels.`);
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth -= 1;
  }
}
