// Errors answered in the Stacks Blockchain API's own shapes. The API is a Fastify
// server: a thrown NotFoundError or InvalidRequestError becomes Fastify's default
// error body {statusCode, error, message}, and a request that fails the route's
// JSON schema becomes {statusCode: 400, code: "FST_ERR_VALIDATION", error, message}
// where message is "<querystring|params>/<field> <ajv message>".

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  410: "Gone",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toJSON(): Record<string, unknown> {
    return {
      statusCode: this.status,
      ...(this.code === undefined ? {} : { code: this.code }),
      error: STATUS_TEXT[this.status] ?? "Error",
      message: this.message,
    };
  }
}

/** The API's NotFoundError (404). */
export const notFound = (message: string) => new ApiError(404, message);

/** The API's InvalidRequestError (400). */
export const invalidRequest = (message: string) => new ApiError(400, message);

/** A schema validation failure, e.g. validationError("querystring", "limit", "must be <= 100"). */
export const validationError = (part: "querystring" | "params", field: string, message: string) =>
  new ApiError(400, `${part}/${field} ${message}`, "FST_ERR_VALIDATION");

/** Fastify's answer for a path no route matches. */
export const routeNotFound = (method: string, path: string) => new ApiError(404, `Route ${method}:${path} not found`);
