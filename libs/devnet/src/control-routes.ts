// The /devnet control routes: switch fault modes, evict a pending transaction,
// mine a block, fork the chain. They live under /devnet/, a prefix neither a Stacks node nor the
// Stacks Blockchain API serves, so a client can never come to depend on them by
// accident; they are exempt from the rate-limit fault.
import { ApiError } from "./api-errors.js";
import { FaultConfigError } from "./faults.js";
import { ForkError } from "./fork.js";
import { ok, type Request, type Route, type RouteContext } from "./http-route.js";

function json(request: Request): unknown {
  if (request.body.length === 0) return {};
  try {
    return JSON.parse(request.body.toString("utf8"));
  } catch {
    throw new ApiError(400, "request body is not JSON");
  }
}

function configuring<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FaultConfigError) throw new ApiError(400, error.message);
    throw error;
  }
}

export function controlRoutes({ chain, faults }: RouteContext): Route[] {
  return [
    { method: "GET", pattern: /^\/devnet\/faults$/, handler: () => ok(faults.snapshot) },
    {
      method: "POST",
      pattern: /^\/devnet\/faults$/,
      handler: (request) => ok(configuring(() => faults.update(json(request)))),
    },
    { method: "DELETE", pattern: /^\/devnet\/faults$/, handler: () => ok(faults.reset()) },
    {
      method: "POST",
      pattern: /^\/devnet\/mempool\/drop$/,
      handler: (request) => {
        const body = json(request) as { tx_id?: unknown };
        if (typeof body.tx_id !== "string" || !/^(0x)?[0-9a-fA-F]{64}$/.test(body.tx_id))
          throw new ApiError(400, 'body must be {"tx_id": "<0x-prefixed txid>"}');
        const txid = body.tx_id.replace(/^0x/i, "").toLowerCase();
        if (!chain.dropPending(txid)) throw new ApiError(404, `transaction 0x${txid} is not pending`);
        return ok({ tx_id: `0x${txid}`, status: "dropped_stale_garbage_collect" });
      },
    },
    {
      method: "POST",
      pattern: /^\/devnet\/mine$/,
      handler: async () => ok({ height: await chain.mineBlock() }),
    },
    {
      method: "POST",
      pattern: /^\/devnet\/fork$/,
      handler: async (request) => {
        try {
          return ok(await chain.fork(json(request)));
        } catch (error) {
          if (error instanceof ForkError) throw new ApiError(400, error.message);
          throw error;
        }
      },
    },
  ];
}
