import { RpcException } from "@nestjs/microservices";

/** An error of this library: a stable machine code and a sentence for a person. */
export class MessagingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MessagingError";
  }
}

/** What a failed delivery is reduced to before it is retried or dead-lettered. */
export type HandlerFailure = { code: string; message: string; retryable: boolean };

/**
 * Thrown by a handler for a message that can never succeed (its payload fails
 * validation, it refers to something that does not exist): it goes to the
 * dead-letter store at once instead of being retried.
 *
 * It extends RpcException because Nest's default exception filter replaces
 * any other error by a generic "Internal server error" before the transport
 * sees it, while it passes an RpcException's error object through unchanged.
 */
export class NonRetryableError extends RpcException {
  readonly code: string;
  constructor(code: string, message: string) {
    super({ code, message, retryable: false } satisfies HandlerFailure);
    this.code = code;
    this.message = message;
    this.name = "NonRetryableError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Reduces whatever a handler threw (or Nest's filter made of it) to a HandlerFailure. */
export function toHandlerFailure(error: unknown): HandlerFailure {
  if (error instanceof NonRetryableError) {
    return { code: error.code, message: error.message, retryable: false };
  }
  if (error instanceof RpcException) {
    return toHandlerFailure(error.getError());
  }
  if (isRecord(error)) {
    const retryable = error.retryable !== false;
    const code = typeof error.code === "string" ? error.code : "HANDLER_FAILED";
    const message = typeof error.message === "string" ? error.message : JSON.stringify(error);
    return { code, message, retryable };
  }
  return { code: "HANDLER_FAILED", message: String(error), retryable: true };
}
