/** The body of every error response. */
export interface ApiErrorBody {
  /** Stable machine code, e.g. FACILITY_NOT_FOUND. */
  code: string;
  /** A sentence a person reads. */
  message: string;
  details: unknown;
}

/** An error a handler throws to answer with a given status and `{ code, message, details }`. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }

  static badRequest(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(400, code, message, details);
  }

  static unauthorized(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(401, code, message, details);
  }

  static forbidden(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(403, code, message, details);
  }

  static notFound(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(404, code, message, details);
  }

  static conflict(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(409, code, message, details);
  }

  static unprocessable(code: string, message: string, details?: unknown): ApiError {
    return new ApiError(422, code, message, details);
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, details: this.details ?? null };
  }
}
