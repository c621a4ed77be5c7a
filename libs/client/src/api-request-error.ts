/**
 * A refusal or failure answered by a service: the HTTP status and the body's machine code.
 * Status 0 with SERVICE_UNREACHABLE when the service gave no answer at all.
 */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly request: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}
