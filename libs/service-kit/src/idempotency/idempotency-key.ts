import { ApiError } from "../errors/api-error.js";
import type { HttpRequest } from "../http-exchange.js";

/** The request header of draft-ietf-httpapi-idempotency-key-header. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

/** Set on an answer repeated from the store rather than produced by executing the request. */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

// The draft's key is a structured-field string: printable ASCII. Clients send it quoted or bare.
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The request's idempotency key, or undefined without the header. A key that is empty,
 * longer than 255 characters, not printable ASCII, or sent twice is refused with a 400.
 */
export function idempotencyKeyOf(request: Pick<HttpRequest, "headers">): string | undefined {
  const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    throw ApiError.badRequest("IDEMPOTENCY_KEY_INVALID", "Send one Idempotency-Key header.", {
      headers: header.length,
    });
  }
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1]! : header.trim();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw ApiError.badRequest(
      "IDEMPOTENCY_KEY_INVALID",
      `The Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, e.g. a UUID.`,
      { length: key.length, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, printableAscii: PRINTABLE_ASCII.test(key) },
    );
  }
  return key;
}
