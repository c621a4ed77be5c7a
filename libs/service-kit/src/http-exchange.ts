// The parts of express's request and response this library touches, typed here so
// the library does not depend on express's type package.

export interface HttpRequest {
  method: string;
  baseUrl: string;
  /** The path and query as received (express's `originalUrl`), and the part left to this router. */
  originalUrl: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  route?: { path?: unknown };
}

export interface HttpResponse {
  statusCode: number;
  headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  status(code: number): HttpResponse;
  json(body: unknown): unknown;
  once(event: "finish", listener: () => void): unknown;
}
