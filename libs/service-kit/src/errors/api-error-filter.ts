import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from "@nestjs/common";
import type { HttpResponse as Response } from "../http-exchange.js";
import { MAX_JSON_BODY_DEPTH } from "../validation/json-body.js";
import type { Refusals } from "../openapi/operation.js";
import { ApiError } from "./api-error.js";

const CODE_BY_STATUS: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  406: "NOT_ACCEPTABLE",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

// Errors of express's body parser carry a status and a type.
const BODY_PARSER_CODES: Record<string, string> = {
  "entity.parse.failed": "MALFORMED_JSON",
  "entity.too.large": "PAYLOAD_TOO_LARGE",
  "entity.too.deep": "JSON_TOO_DEEP",
  "encoding.unsupported": "UNSUPPORTED_ENCODING",
  "charset.unsupported": "UNSUPPORTED_CHARSET",
  "request.aborted": "REQUEST_ABORTED",
};

/** What reading a JSON body can be refused with, before any handler runs. */
export const BODY_REFUSALS: Refusals = {
  MALFORMED_JSON: 400,
  JSON_TOO_DEEP: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_ENCODING: 415,
  UNSUPPORTED_CHARSET: 415,
};

/** A fault of the service itself: the only 500 there is. */
export const FAULT_REFUSALS: Refusals = { INTERNAL_ERROR: 500, DATABASE_UNAVAILABLE: 503 };

// The database could not be reached or did not hand out a connection in time: nothing the
// request did, and retrying it soon may well succeed. Node's socket codes, PostgreSQL's
// connection-exception and availability SQLSTATEs, Prisma's connection errors, and pg-pool's
// and Prisma's own words for a connection they could not get in time. Prisma words the last
// as a P2028 "Unable to start a transaction in the given time" when every connection of the
// pool stayed busy past the transaction's maxWait (2 s): its other P2028s are faults.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300",
  "57P01",
  "57P02",
  "57P03",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
]);
const UNREACHABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /unable to start a transaction in the given time/i,
];

/** Whether the error, or one it was caused by, says the database was out of reach. */
function databaseUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth += 1) {
    const candidate = cause as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && UNREACHABLE_CODES.has(candidate.code)) return true;
    if (
      typeof candidate.message === "string" &&
      UNREACHABLE_MESSAGES.some((words) => words.test(candidate.message as string))
    )
      return true;
    cause = candidate.cause;
  }
  return false;
}

// Prisma's known request errors a client causes: a missing record or a clash.
const PRISMA_CODES: Record<string, ApiError> = {
  P2025: ApiError.notFound("NOT_FOUND", "The requested record does not exist."),
  P2002: ApiError.conflict("CONFLICT", "A record with the same unique value already exists."),
  P2003: ApiError.conflict(
    "REFERENCE_CONFLICT",
    "The request refers to a record that does not exist or is still referenced.",
  ),
};

/** Turns every exception into `{ code, message, details }`; only real faults become 500s. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger("ApiErrorFilter");

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== "http") throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toApiError(exception);
    // A fault is logged with its stack; a deliberate 5xx answer (not ready, chain unreachable) by its code.
    if (error.status >= 500 && exception instanceof ApiError) this.logger.warn(`${error.code}: ${error.message}`);
    else if (error.status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (error.status === 401) response.setHeader("WWW-Authenticate", 'Bearer realm="voltstack"');
    if (error.code === "DATABASE_UNAVAILABLE") response.setHeader("Retry-After", "1");
    if (!response.headersSent) response.status(error.status).json(error.toBody());
  }

  private toApiError(exception: unknown): ApiError {
    if (exception instanceof ApiError) return exception;
    // The express adapter wraps body parser errors in HttpExceptions; the cause tells which.
    const bodyError = bodyParserError(exception instanceof HttpException ? exception.cause : exception);
    if (bodyError) return bodyError;
    if (exception instanceof HttpException) return fromHttpException(exception);
    const candidate = exception as { code?: unknown; name?: unknown; meta?: unknown };
    if (typeof candidate?.code === "string" && candidate.name === "PrismaClientKnownRequestError") {
      const known = PRISMA_CODES[candidate.code];
      if (known) return new ApiError(known.status, known.code, known.message, candidate.meta ?? null);
    }
    if (databaseUnreachable(exception)) {
      return new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        "DATABASE_UNAVAILABLE",
        "The service's database did not answer in time; retry the request shortly.",
      );
    }
    return new ApiError(
      HttpStatus.INTERNAL_SERVER_ERROR,
      "INTERNAL_ERROR",
      "The service failed to handle the request.",
    );
  }
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === "object" && body !== null && "code" in body && "message" in body) {
    const { code, message, details } = body as { code: unknown; message: unknown; details?: unknown };
    return new ApiError(status, String(code), String(message), details ?? null);
  }
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST");
  const message = status >= 500 && status !== 503 ? "The service failed to handle the request." : exception.message;
  return new ApiError(status, code, message);
}

function bodyParserError(error: unknown): ApiError | undefined {
  const candidate = error as { status?: unknown; type?: unknown; message?: unknown } | undefined;
  if (typeof candidate?.type !== "string" || typeof candidate.status !== "number" || candidate.status >= 500)
    return undefined;
  const code = BODY_PARSER_CODES[candidate.type] ?? CODE_BY_STATUS[candidate.status] ?? "BAD_REQUEST";
  if (code === "JSON_TOO_DEEP")
    return new ApiError(candidate.status, code, String(candidate.message), { maxDepth: MAX_JSON_BODY_DEPTH });
  const message =
    code === "MALFORMED_JSON"
      ? "The request body is not valid JSON."
      : code === "PAYLOAD_TOO_LARGE"
        ? "The request body is too large."
        : "The request body could not be read.";
  return new ApiError(candidate.status, code, message);
}
