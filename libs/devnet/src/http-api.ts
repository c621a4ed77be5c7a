// The HTTP surface: the subset of Stacks node (/v2) and Stacks Blockchain API
// (/extended) routes that @stacks/transactions, @stacks/network and a chain
// follower use, strict the way the real API is (limits over a route's maximum
// are refused, errors have the API's bodies, deprecated routes say so), plus the
// /devnet control routes for fault modes. Every handler is wrapped: a bad
// request gets the API's error JSON, an unexpected failure a 500 JSON, and the
// process never crashes on input.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ApiError, invalidRequest, notFound, routeNotFound } from "./api-errors.js";
import {
  PAGE_LIMITS,
  TX_ID_PATTERN,
  heightOrHash,
  integer,
  matchPattern,
  queryInteger,
  queryPattern,
  v1Limit,
  v1Offset,
} from "./api-params.js";
import { v3Routes } from "./api-routes-v3.js";
import { apiEvents, blockV1Json, transactionJson } from "./api-shapes.js";
import { ApiView } from "./api-view.js";
import { blockJson, type StatusJson } from "./api-v3-shapes.js";
import { controlRoutes } from "./control-routes.js";
import { DEVNET_CHAIN_ID } from "./transaction-decoder.js";
import type { BlockInfo } from "./block-index.js";
import type { DevnetChain } from "./devnet-chain.js";
import { FaultState, RATE_LIMITED_BODY } from "./faults.js";
import {
  DEPRECATION_WARNING,
  GONE_BODY,
  ok,
  redirect,
  type Reply,
  type Request,
  type Route,
  type RouteContext,
} from "./http-route.js";
import { MempoolRejection } from "./mempool-rejection.js";

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const SERVER_VERSION = "voltstack-devnet (Clarity VM via @stacks/clarinet-sdk simnet)";

class BadRequest extends Error {}

/** The node's own (non-API) 404s keep the node's plain {error} body. */
const nodeNotFound = (error: string): Reply => ({ status: 404, body: { error } });

const PRINCIPAL = String.raw`(S[0-9A-Z]{28,41}(?:\.[a-zA-Z][a-zA-Z0-9_-]{0,127})?)`;
const ADDRESS = String.raw`(S[0-9A-Z]{28,41})`;
const NAME = String.raw`([a-zA-Z][a-zA-Z0-9_-]{0,127})`;
const CLARITY_NAME = String.raw`([a-zA-Z!?*+<>=/_-][a-zA-Z0-9!?*+<>=/_-]{0,127})`;

/** The v1 routes' AddressParamSchema: note it has no end anchor. */
const V1_ADDRESS_PATTERN = "^[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{28,41}";

function jsonBody(request: Request): unknown {
  if (request.body.length === 0) throw new BadRequest("request body is empty");
  try {
    return JSON.parse(request.body.toString("utf8"));
  } catch {
    throw new BadRequest("request body is not JSON");
  }
}

function stxBalanceJson(chain: DevnetChain, principal: string): Record<string, unknown> {
  const balance = chain.stxBalance(principal);
  const totals = chain.stxTotals(principal);
  return {
    balance: balance.toString(),
    estimated_balance: balance.toString(),
    total_sent: totals.sent.toString(),
    total_received: totals.received.toString(),
    total_fees_sent: totals.fees.toString(),
    total_miner_rewards_received: "0",
    lock_tx_id: "",
    locked: "0",
    lock_height: 0,
    burnchain_lock_height: 0,
    burnchain_unlock_height: 0,
  };
}

function nodeRoutes({ chain }: RouteContext): Route[] {
  const tip = () => chain.block(chain.tipHeight)!;
  return [
    {
      method: "GET",
      pattern: /^\/v2\/info$/,
      handler: () => {
        const block = tip();
        return ok({
          peer_version: 4207599116,
          pox_consensus: block.hash.slice(0, 42),
          burn_block_height: block.burnHeight,
          stable_pox_consensus: block.hash.slice(0, 42),
          stable_burn_block_height: block.burnHeight,
          server_version: SERVER_VERSION,
          network_id: DEVNET_CHAIN_ID,
          parent_network_id: 3669344250,
          stacks_tip_height: block.height,
          stacks_tip: block.hash,
          stacks_tip_consensus_hash: block.hash.slice(0, 42),
          genesis_chainstate_hash: chain.blockHash(0),
          unanchored_tip: null,
          unanchored_seq: null,
          tenure_height: block.burnHeight,
          exit_at_block_height: null,
          is_fully_synced: true,
          node_public_key: null,
          node_public_key_hash: null,
          stackerdbs: [],
        });
      },
    },
    {
      method: "POST",
      pattern: /^\/v2\/transactions$/,
      handler: (request) => {
        let raw: string | Uint8Array;
        if (request.contentType.includes("application/json")) {
          const body = jsonBody(request) as { tx?: unknown };
          if (typeof body?.tx !== "string") {
            throw new MempoolRejection("Deserialization", { message: 'body must be {"tx": "<hex>"}' }, "no tx field");
          }
          raw = body.tx;
        } else {
          raw = request.body;
        }
        return ok(chain.submit(raw));
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v2/accounts/${PRINCIPAL}$`),
      handler: (request) => {
        const principal = request.params[0]!;
        return ok({
          balance: `0x${chain.stxBalance(principal).toString(16).padStart(32, "0")}`,
          locked: `0x${"0".repeat(32)}`,
          unlock_height: 0,
          nonce: Number(chain.nextNonce(principal)),
          balance_proof: "",
          nonce_proof: "",
        });
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`^/v2/contracts/call-read/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      handler: (request) => {
        const body = jsonBody(request) as { sender?: unknown; arguments?: unknown };
        if (
          typeof body?.sender !== "string" ||
          !Array.isArray(body.arguments) ||
          !body.arguments.every((a) => typeof a === "string")
        ) {
          throw new BadRequest('body must be {"sender": "<principal>", "arguments": ["<hex>", ...]}');
        }
        const [address, name, fn] = request.params as [string, string, string];
        return ok(chain.callReadOnly(`${address}.${name}`, fn, body.arguments as string[], body.sender));
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v2/contracts/interface/${ADDRESS}/${NAME}$`),
      handler: (request) => {
        const contract = chain.interfaces().get(`${request.params[0]}.${request.params[1]}`);
        return contract ? ok(contract) : nodeNotFound("No contract interface data found");
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v2/contracts/source/${ADDRESS}/${NAME}$`),
      handler: (request) => {
        const source = chain.contractSource(`${request.params[0]}.${request.params[1]}`);
        return source === undefined
          ? nodeNotFound("No contract source data found")
          : ok({ source, publish_height: chain.genesisHeight, proof: "" });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/v2/data_var/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      handler: (request) => {
        const data = chain.dataVar(`${request.params[0]}.${request.params[1]}`, request.params[2]!);
        return data === undefined ? nodeNotFound("Data var not found") : ok({ data, proof: "" });
      },
    },
    {
      method: "POST",
      pattern: new RegExp(`^/v2/map_entry/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      handler: (request) => {
        const key = jsonBody(request);
        if (typeof key !== "string") throw new BadRequest("body must be the map key as a JSON hex string");
        const data = chain.mapEntry(`${request.params[0]}.${request.params[1]}`, request.params[2]!, key);
        return data === undefined ? nodeNotFound("Map entry not found") : ok({ data, proof: "" });
      },
    },
    {
      method: "POST",
      pattern: /^\/v2\/fees\/transaction$/,
      handler: (request) => {
        const body = jsonBody(request) as { transaction_payload?: unknown; estimated_len?: unknown };
        if (typeof body?.transaction_payload !== "string")
          throw new BadRequest("transaction_payload (hex) is required");
        const payloadBytes = body.transaction_payload.replace(/^0x/, "").length / 2;
        // Auth and header add about 120 bytes to a single-sig transaction's payload.
        const length =
          typeof body.estimated_len === "number" && body.estimated_len > 0 ? body.estimated_len : payloadBytes + 120;
        const minimum = chain.requiredFee(length);
        const estimations = [minimum, minimum * 2n, minimum * 4n].map((fee) => ({
          fee_rate: Number(fee) / length,
          fee: Number(fee),
        }));
        return ok({
          estimated_cost: { write_length: 0, write_count: 0, read_length: 0, read_count: 0, runtime: 0 },
          estimated_cost_scalar: 1,
          cost_scalar_change_by_byte: 0,
          estimations,
        });
      },
    },
    { method: "GET", pattern: /^\/v2\/fees\/transfer$/, handler: () => ({ status: 200, body: "1", text: true }) },
  ];
}

/** The API's routes other than the v3 ones: status, and the v1/v2 routes the services still read. */
function apiRoutes({ chain, view }: RouteContext): Route[] {
  const txState = (raw: string) => view.txState(raw);
  const v1Tx = (txid: string, options: { eventLimit?: number; eventOffset?: number } = {}) => {
    const state = txState(txid);
    if (!state) return undefined;
    return transactionJson(state.record, chain, { ...options, asPending: state.kind === "pending" });
  };
  const mempoolPage = (request: Request, filter: (sender: string) => boolean) => {
    const offset = v1Offset(request.query);
    const limit = v1Limit(request.query, "limit", PAGE_LIMITS.tx);
    const all = view.mempool().filter((record) => filter(record.decoded.sender));
    return ok({
      limit,
      offset,
      total: all.length,
      results: all.slice(offset, offset + limit).map((record) => v1Tx(record.decoded.txid)),
    });
  };
  const blockByKey = (key: string) => {
    const id = heightOrHash(key.length === 64 && /^[0-9a-fA-F]+$/.test(key) ? `0x${key}` : key);
    if ("latest" in id) return view.block(view.indexedTipHeight);
    if ("hash" in id) return view.blockByHash(id.hash);
    return view.block(id.height);
  };
  const indexedBlocksNewestFirst = () => {
    const blocks: BlockInfo[] = [];
    for (let height = view.indexedTipHeight; height >= 0; height -= 1) blocks.push(chain.block(height)!);
    return blocks;
  };

  return [
    {
      method: "GET",
      pattern: /^\/extended\/?$/,
      handler: () => {
        const block = chain.block(view.indexedTipHeight)!;
        const body: StatusJson = { server_version: SERVER_VERSION, status: "ready" };
        // The API leaves chain_tip out until it has indexed a block past genesis.
        if (block.height > 0) {
          body.chain_tip = {
            block_height: block.height,
            block_hash: block.hash,
            index_block_hash: block.hash,
            burn_block_height: block.burnHeight,
          };
        }
        return ok(body);
      },
    },
    { method: "GET", pattern: /^\/$/, handler: () => redirect(301, "/extended") },
    { method: "GET", pattern: /^\/extended\/v1\/status\/?$/, handler: () => redirect(301, "/extended") },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/tx\/mempool$/,
      deprecated: true,
      handler: (request) => {
        const sender = matchPattern(
          "querystring",
          "sender_address",
          request.query.get("sender_address") ?? undefined,
          V1_ADDRESS_PATTERN,
        );
        return mempoolPage(request, (address) => !sender || address === sender);
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/tx\/events$/,
      deprecated: true,
      handler: (request) => {
        const txid = queryPattern(request.query, "tx_id", TX_ID_PATTERN);
        const address = request.query.get("address");
        const offset = v1Offset(request.query);
        const limit = v1Limit(request.query, "limit", PAGE_LIMITS.event);
        if (!txid && !address) throw invalidRequest("can not find 'address' or 'tx_id' in the request");
        if (txid && address) throw invalidRequest("can't handle both 'address' and 'tx_id' in the same request");
        if (!txid) throw invalidRequest("this devnet filters events by tx_id only");
        const state = txState(txid);
        // Events are stored for mined transactions only.
        const events = state?.kind === "mined" ? apiEvents(state.record) : [];
        return ok({ limit, offset, events: events.slice(offset, offset + limit) });
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/tx\/([^/]+)$/,
      deprecated: true,
      handler: (request) => {
        const txid = matchPattern("params", "tx_id", request.params[0]!, TX_ID_PATTERN)!;
        // The API redirects an id without 0x to its 0x form.
        if (!txid.startsWith("0x")) return redirect(302, `/extended/v1/tx/0x${txid}${request.search}`);
        const eventLimit = v1Limit(request.query, "event_limit", PAGE_LIMITS.event);
        const eventOffset = v1Offset(request.query, "event_offset");
        const json = v1Tx(txid, { eventLimit, eventOffset });
        if (!json) throw notFound("could not find transaction by ID");
        return ok(json);
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/address\/([^/]+)\/nonces$/,
      deprecated: true,
      handler: (request) => {
        const principal = matchPattern("params", "principal", request.params[0]!, V1_ADDRESS_PATTERN)!;
        const nonces = view.nonces(principal);
        return ok({
          last_executed_tx_nonce: nonces.lastExecutedTxNonce,
          last_mempool_tx_nonce: nonces.lastMempoolTxNonce,
          possible_next_nonce: nonces.possibleNextNonce,
          detected_missing_nonces: nonces.detectedMissingNonces,
          detected_mempool_nonces: nonces.detectedMempoolNonces,
        });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`^/extended/v1/address/${PRINCIPAL}/stx$`),
      deprecated: true,
      handler: (request) => ok(stxBalanceJson(chain, request.params[0]!)),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/extended/v1/address/${PRINCIPAL}/balances$`),
      deprecated: true,
      handler: (request) =>
        ok({ stx: stxBalanceJson(chain, request.params[0]!), fungible_tokens: {}, non_fungible_tokens: {} }),
    },
    {
      method: "GET",
      pattern: new RegExp(`^/extended/v1/address/${PRINCIPAL}/mempool$`),
      deprecated: true,
      handler: (request) => mempoolPage(request, (sender) => sender === request.params[0]),
    },
    {
      method: "GET",
      pattern: /^\/extended\/v2\/blocks\/?$/,
      handler: (request) => {
        const limitParam = queryInteger(request.query, "limit", {
          minimum: 0,
          maximum: PAGE_LIMITS.block.maxLimit,
          default: PAGE_LIMITS.block.defaultLimit,
        })!;
        const bound = PAGE_LIMITS.block.maxLimit * 10;
        const offset = queryInteger(request.query, "offset", { minimum: -bound, maximum: bound, default: 0 })!;
        const cursor = queryPattern(request.query, "cursor", "^0x[a-fA-F0-9]{64}$");
        const limit = limitParam === 0 ? PAGE_LIMITS.block.defaultLimit : limitParam;
        // PgStoreV2.getBlocks: the page starts `offset` blocks below the cursor block (or the tip).
        const blocks = indexedBlocksNewestFirst();
        const anchor = cursor ? blocks.findIndex((block) => block.hash === cursor.toLowerCase()) : 0;
        const top = anchor < 0 ? -1 : anchor + offset;
        const page = top >= 0 && top < blocks.length ? blocks.slice(top, top + limit) : [];
        if (cursor && page.length === 0) throw notFound("Cursor not found");
        return ok({
          limit,
          offset,
          total: page.length > 0 ? view.indexedTipHeight + 1 : 0,
          next_cursor: page.length > 0 && top - limit >= 0 ? blocks[top - limit]!.hash : null,
          prev_cursor: page.length > 0 ? (blocks[top + limit]?.hash ?? null) : null,
          cursor: page[0]?.hash ?? null,
          results: page.map((block) => blockJson(block)),
        });
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v2\/blocks\/([^/]+)$/,
      handler: (request) => {
        const block = blockByKey(request.params[0]!);
        if (!block) throw notFound("Block not found");
        return ok(blockJson(block));
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v2\/blocks\/([^/]+)\/transactions$/,
      deprecated: true,
      handler: (request) => {
        const raw = request.params[0]!;
        const limit = v1Limit(request.query, "limit", PAGE_LIMITS.tx);
        const offset = v1Offset(request.query);
        const block = blockByKey(raw);
        if (!block) throw notFound("Block not found");
        const results = block.txids
          .slice(offset, offset + limit)
          .map((txid) => transactionJson(chain.records.get(txid)!, chain));
        return ok({ limit, offset, total: block.txids.length, results });
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/block\/?$/,
      deprecated: true,
      handler: (request) => {
        const offset = v1Offset(request.query);
        const limit = v1Limit(request.query, "limit", PAGE_LIMITS.block);
        const blocks = indexedBlocksNewestFirst();
        return ok({
          limit,
          offset,
          total: blocks.length,
          results: blocks.slice(offset, offset + limit).map(blockV1Json),
        });
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/block\/by_height\/([^/]+)$/,
      deprecated: true,
      handler: (request) => {
        const height = integer("params", "height", request.params[0], {})!;
        const block = view.block(height);
        if (!block) throw notFound("cannot find block by height");
        return ok(blockV1Json(block));
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/block\/(0x[0-9a-fA-F]{64}|[0-9a-fA-F]{64})$/,
      deprecated: true,
      handler: (request) => {
        const block = view.blockByHash(request.params[0]!, { includeOrphaned: true });
        if (!block) throw notFound("cannot find block by hash");
        return ok(blockV1Json(block));
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v1\/contract\/([^/]+)\/events$/,
      deprecated: true,
      handler: (request) => {
        const contractId = decodeURIComponent(request.params[0]!);
        const limit = v1Limit(request.query, "limit", PAGE_LIMITS.contract);
        const offset = v1Offset(request.query);
        // Oldest first, as this devnet has always listed them.
        const rows = view.contractLogs(contractId).reverse();
        const results = rows.slice(offset, offset + limit).map(({ record, key }) => ({
          ...apiEvents(record).find((event) => event.event_index === key.eventIndex),
          block_height: key.blockHeight,
        }));
        return ok({ limit, offset, total: rows.length, results });
      },
    },
  ];
}

function routes(context: RouteContext): Route[] {
  return [...nodeRoutes(context), ...v3Routes(context), ...apiRoutes(context)];
}

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    message.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest("request body too large"));
        message.destroy();
        return;
      }
      chunks.push(chunk);
    });
    message.on("end", () => resolve(Buffer.concat(chunks)));
    message.on("error", reject);
  });
}

function send(response: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  const body = reply.text ? String(reply.body) : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...extraHeaders,
    ...reply.headers,
    "content-type": reply.text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

function errorReply(error: unknown, onError: (error: unknown) => void): Reply {
  if (error instanceof MempoolRejection) return { status: 400, body: error.toJSON() };
  if (error instanceof ApiError) return { status: error.status, body: error.toJSON() };
  if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
  onError(error);
  return { status: 500, body: { error: "internal error", message: String(error) } };
}

// A rebuild blocks the event loop for seconds; with Node's 5 s default an idle
// keep-alive connection can be closed by the server just as a client reuses it
// (ECONNRESET), so idle connections are kept well beyond a rebuild.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createDevnetServer(
  chain: DevnetChain,
  onError: (error: unknown) => void,
  faults: FaultState = new FaultState(),
): Server {
  const context: RouteContext = { chain, view: new ApiView(chain, faults), faults };
  const table = routes(context);
  const control = controlRoutes(context);
  const server = createServer((message, response) => {
    void (async () => {
      const url = new URL(message.url ?? "/", "http://devnet.local");
      const method = message.method ?? "GET";
      const isControl = url.pathname.startsWith("/devnet/");
      let headers: Record<string, string> = {};
      try {
        if (!isControl) {
          const apiKey = message.headers["x-api-key"];
          const decision = faults.rateLimit(
            url.pathname,
            message.socket.remoteAddress ?? "",
            typeof apiKey === "string" ? apiKey : undefined,
          );
          if (decision) headers = decision.headers;
          if (decision && !decision.allowed) {
            send(response, { status: 429, body: RATE_LIMITED_BODY }, headers);
            return;
          }
        }
        const body = method === "POST" ? await readBody(message) : Buffer.alloc(0);
        await chain.whenIdle();
        for (const route of isControl ? control : table) {
          const match = route.pattern.exec(url.pathname);
          if (!match || route.method !== method) continue;
          if (route.deprecated) {
            headers = { ...headers, warning: DEPRECATION_WARNING };
            if (faults.deprecatedGone) {
              send(response, { status: 410, body: GONE_BODY }, headers);
              return;
            }
          }
          const request: Request = {
            method,
            path: url.pathname,
            query: url.searchParams,
            search: url.search,
            params: match.slice(1),
            body,
            contentType: String(message.headers["content-type"] ?? ""),
          };
          send(response, await route.handler(request), headers);
          return;
        }
        send(response, errorReply(routeNotFound(method, url.pathname), onError), headers);
      } catch (error) {
        if (!response.headersSent) send(response, errorReply(error, onError), headers);
      }
    })();
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}
