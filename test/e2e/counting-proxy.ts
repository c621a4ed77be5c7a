import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that went through the proxy. */
export interface CountedRequest {
  at: number;
  method: string;
  /** The path without its query, ids folded: `/extended/v3/transactions/:id`. */
  route: string;
}

/**
 * An HTTP proxy in front of the Stacks API that counts what the services ask: the
 * measure of the request budget an operator has to buy from a hosted API.
 */
export class CountingProxy {
  readonly requests: CountedRequest[] = [];
  #server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const path = request.url ?? "/";
        this.requests.push({ at: Date.now(), method: request.method ?? "GET", route: routeOf(path) });
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        fetch(`${this.target}${path}`, {
          method: request.method,
          headers: Object.fromEntries(
            Object.entries(request.headers).filter(
              (entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "host",
            ),
          ),
          body,
          redirect: "manual",
        }).then(
          async (answer) => {
            const payload = Buffer.from(await answer.arrayBuffer());
            const headers: Record<string, string> = {};
            answer.headers.forEach((value, key) => {
              if (key !== "content-encoding" && key !== "transfer-encoding") headers[key] = value;
            });
            headers["content-length"] = String(payload.length);
            response.writeHead(answer.status, headers);
            response.end(payload);
          },
          () => {
            response.writeHead(502);
            response.end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests in [from, to), ms since the epoch. */
  between(from: number, to: number): CountedRequest[] {
    return this.requests.filter((request) => request.at >= from && request.at < to);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }
}

function routeOf(path: string): string {
  return (path.split("?")[0] ?? "/")
    .replace(/0x[0-9a-f]{64}/gi, ":id")
    .replace(/\/S[0-9A-Z]{28,41}(\.[a-zA-Z][\w-]*)?/g, "/:principal")
    .replace(/\/\d+(?=\/|$)/g, "/:n");
}
