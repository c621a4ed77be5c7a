// The HTTP surface: the subset of Stacks node (/v2) and Stacks Blockchain API
// (/extended) routes that @stacks/transactions, @stacks/network and a chain
// follower use. Every handler is wrapped: a bad request gets the API's error
// JSON, an unexpected failure a 500 JSON, and the process never crashes on input.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { apiEvents, blockV1Json, blockV2Json, transactionJson } from "./api-shapes.js";
import { DEVNET_CHAIN_ID } from "./transaction-decoder.js";
import type { BlockInfo, DevnetChain } from "./devnet-chain.js";
import { MempoolRejection } from "./mempool-rejection.js";

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const SERVER_VERSION = "voltstack-devnet (Clarity VM via @stacks/clarinet-sdk simnet)";

interface Reply {
  status: number;
  body: unknown;
  /** Sent as text instead of JSON, e.g. the transfer fee rate. */
  text?: boolean;
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: Buffer;
  contentType: string;
}

type Handler = (request: Request) => Reply | Promise<Reply>;

class BadRequest extends Error {}

const ok = (body: unknown): Reply => ({ status: 200, body });
const notFound = (error: string, extra: Record<string, unknown> = {}): Reply => ({
  status: 404,
  body: { error, ...extra },
});

const PRINCIPAL = String.raw`(S[0-9A-Z]{28,41}(?:\.[a-zA-Z][a-zA-Z0-9_-]{0,127})?)`;
const ADDRESS = String.raw`(S[0-9A-Z]{28,41})`;
const NAME = String.raw`([a-zA-Z][a-zA-Z0-9_-]{0,127})`;
const CLARITY_NAME = String.raw`([a-zA-Z!?*+<>=/_-][a-zA-Z0-9!?*+<>=/_-]{0,127})`;

function page(query: URLSearchParams, fallback: number, max: number): { limit: number; offset: number } {
  const limit = Number(query.get("limit") ?? fallback);
  const offset = Number(query.get("offset") ?? 0);
  if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
    throw new BadRequest("limit and offset must be non-negative integers");
  }
  return { limit: Math.min(limit, max), offset };
}

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

function routes(chain: DevnetChain): [string, RegExp, Handler][] {
  const tipJson = () => {
    const tip = chain.block(chain.tipHeight)!;
    return { tip, hash: tip.hash };
  };
  const blockByHeightOrHash = (key: string) =>
    /^\d+$/.test(key) ? chain.block(Number(key)) : chain.block(chain.heightOfHash(key) ?? -1);
  const txRecord = (txid: string) => chain.records.get(txid.replace(/^0x/i, "").toLowerCase());
  const newestBlocksFirst = <T>(query: URLSearchParams, maxLimit: number, toJson: (block: BlockInfo) => T) => {
    const { limit, offset } = page(query, 20, maxLimit);
    const results: T[] = [];
    for (let height = chain.tipHeight - offset; height >= 0 && results.length < limit; height -= 1)
      results.push(toJson(chain.block(height)!));
    return ok({ limit, offset, total: chain.tipHeight + 1, results });
  };

  return [
    [
      "GET",
      /^\/v2\/info$/,
      () => {
        const { tip, hash } = tipJson();
        return ok({
          peer_version: 4207599116,
          pox_consensus: hash.slice(0, 42),
          burn_block_height: tip.burnHeight,
          stable_pox_consensus: hash.slice(0, 42),
          stable_burn_block_height: tip.burnHeight,
          server_version: SERVER_VERSION,
          network_id: DEVNET_CHAIN_ID,
          parent_network_id: 3669344250,
          stacks_tip_height: tip.height,
          stacks_tip: hash,
          stacks_tip_consensus_hash: hash.slice(0, 42),
          genesis_chainstate_hash: chain.blockHash(0),
          unanchored_tip: null,
          unanchored_seq: null,
          tenure_height: tip.burnHeight,
          exit_at_block_height: null,
          is_fully_synced: true,
          node_public_key: null,
          node_public_key_hash: null,
          stackerdbs: [],
        });
      },
    ],
    [
      "GET",
      /^\/extended(?:\/v1\/status)?\/?$/,
      () => {
        const { tip, hash } = tipJson();
        return ok({
          server_version: SERVER_VERSION,
          status: "ready",
          pox_v1_unlock_height: null,
          pox_v2_unlock_height: null,
          pox_v3_unlock_height: null,
          chain_tip: {
            block_height: tip.height,
            block_hash: hash,
            index_block_hash: hash,
            burn_block_height: tip.burnHeight,
          },
        });
      },
    ],
    [
      "POST",
      /^\/v2\/transactions$/,
      (request) => {
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
    ],
    [
      "GET",
      /^\/extended\/v1\/tx\/mempool$/,
      (request) => {
        const { limit, offset } = page(request.query, 20, 200);
        const sender = request.query.get("sender_address");
        const all = chain.pendingRecords().filter((record) => !sender || record.decoded.sender === sender);
        return ok({
          limit,
          offset,
          total: all.length,
          results: all.slice(offset, offset + limit).map((r) => transactionJson(r, chain)),
        });
      },
    ],
    [
      "GET",
      /^\/extended\/v1\/tx\/events$/,
      (request) => {
        const { limit, offset } = page(request.query, 96, 200);
        const txid = request.query.get("tx_id");
        if (!txid) throw new BadRequest("this devnet filters events by tx_id only");
        const record = txRecord(txid);
        const events = record ? apiEvents(record) : [];
        return ok({ limit, offset, events: events.slice(offset, offset + limit) });
      },
    ],
    [
      "GET",
      /^\/extended\/v1\/tx\/(?:0x)?([0-9a-fA-F]{64})$/,
      (request) => {
        const record = txRecord(request.params[0]!);
        if (!record) return notFound(`could not find transaction by ID 0x${request.params[0]!.toLowerCase()}`);
        const eventLimit = request.query.has("event_limit") ? Number(request.query.get("event_limit")) : undefined;
        const eventOffset = request.query.has("event_offset") ? Number(request.query.get("event_offset")) : undefined;
        return ok(transactionJson(record, chain, { eventLimit, eventOffset }));
      },
    ],
    [
      "GET",
      new RegExp(`^/extended/v1/address/${PRINCIPAL}/nonces$`),
      (request) => ok(chain.nonceInfo(request.params[0]!)),
    ],
    [
      "GET",
      new RegExp(`^/extended/v1/address/${PRINCIPAL}/stx$`),
      (request) => ok(stxBalanceJson(chain, request.params[0]!)),
    ],
    [
      "GET",
      new RegExp(`^/extended/v1/address/${PRINCIPAL}/balances$`),
      (request) => ok({ stx: stxBalanceJson(chain, request.params[0]!), fungible_tokens: {}, non_fungible_tokens: {} }),
    ],
    [
      "GET",
      new RegExp(`^/extended/v1/address/${PRINCIPAL}/mempool$`),
      (request) => {
        const { limit, offset } = page(request.query, 20, 200);
        const all = chain.pendingRecords().filter((record) => record.decoded.sender === request.params[0]);
        return ok({
          limit,
          offset,
          total: all.length,
          results: all.slice(offset, offset + limit).map((r) => transactionJson(r, chain)),
        });
      },
    ],
    [
      "GET",
      new RegExp(`^/v2/accounts/${PRINCIPAL}$`),
      (request) => {
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
    ],
    [
      "POST",
      new RegExp(`^/v2/contracts/call-read/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      (request) => {
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
    ],
    [
      "GET",
      new RegExp(`^/v2/contracts/interface/${ADDRESS}/${NAME}$`),
      (request) => {
        const contract = chain.interfaces().get(`${request.params[0]}.${request.params[1]}`);
        return contract ? ok(contract) : notFound("No contract interface data found");
      },
    ],
    [
      "GET",
      new RegExp(`^/v2/contracts/source/${ADDRESS}/${NAME}$`),
      (request) => {
        const source = chain.contractSource(`${request.params[0]}.${request.params[1]}`);
        return source === undefined
          ? notFound("No contract source data found")
          : ok({ source, publish_height: chain.genesisHeight, proof: "" });
      },
    ],
    [
      "GET",
      new RegExp(`^/v2/data_var/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      (request) => {
        const data = chain.dataVar(`${request.params[0]}.${request.params[1]}`, request.params[2]!);
        return data === undefined ? notFound("Data var not found") : ok({ data, proof: "" });
      },
    ],
    [
      "POST",
      new RegExp(`^/v2/map_entry/${ADDRESS}/${NAME}/${CLARITY_NAME}$`),
      (request) => {
        const key = jsonBody(request);
        if (typeof key !== "string") throw new BadRequest("body must be the map key as a JSON hex string");
        const data = chain.mapEntry(`${request.params[0]}.${request.params[1]}`, request.params[2]!, key);
        return data === undefined ? notFound("Map entry not found") : ok({ data, proof: "" });
      },
    ],
    [
      "POST",
      /^\/v2\/fees\/transaction$/,
      (request) => {
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
    ],
    ["GET", /^\/v2\/fees\/transfer$/, () => ({ status: 200, body: "1", text: true })],
    ["GET", /^\/extended\/v2\/blocks$/, (request) => newestBlocksFirst(request.query, 60, blockV2Json)],
    [
      "GET",
      /^\/extended\/v2\/blocks\/([^/]+)$/,
      (request) => {
        const block = blockByHeightOrHash(request.params[0]!);
        return block ? ok(blockV2Json(block)) : notFound("Block not found");
      },
    ],
    [
      "GET",
      /^\/extended\/v2\/blocks\/([^/]+)\/transactions$/,
      (request) => {
        const block = blockByHeightOrHash(request.params[0]!);
        if (!block) return notFound("Block not found");
        const { limit, offset } = page(request.query, 20, 200);
        const results = block.txids
          .slice(offset, offset + limit)
          .map((txid) => transactionJson(chain.records.get(txid)!, chain));
        return ok({ limit, offset, total: block.txids.length, results });
      },
    ],
    ["GET", /^\/extended\/v1\/block$/, (request) => newestBlocksFirst(request.query, 30, blockV1Json)],
    [
      "GET",
      /^\/extended\/v1\/block\/by_height\/(\d+)$/,
      (request) => {
        const block = chain.block(Number(request.params[0]));
        return block ? ok(blockV1Json(block)) : notFound(`cannot find block by height ${request.params[0]}`);
      },
    ],
    [
      "GET",
      /^\/extended\/v1\/block\/(0x[0-9a-fA-F]{64}|[0-9a-fA-F]{64})$/,
      (request) => {
        const block = chain.block(chain.heightOfHash(request.params[0]!) ?? -1);
        return block ? ok(blockV1Json(block)) : notFound(`cannot find block by hash ${request.params[0]}`);
      },
    ],
    [
      "GET",
      new RegExp(`^/extended/v1/contract/${PRINCIPAL}/events$`),
      (request) => {
        const { limit, offset } = page(request.query, 20, 200);
        const refs = chain.contractLogs.get(request.params[0]!) ?? [];
        const results = refs.slice(offset, offset + limit).map(({ txid, eventIndex }) => {
          const record = chain.records.get(txid)!;
          return {
            ...apiEvents(record).find((event) => event.event_index === eventIndex),
            block_height: record.blockHeight,
          };
        });
        return ok({ limit, offset, total: refs.length, results });
      },
    ],
  ];
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

function send(response: ServerResponse, reply: Reply): void {
  const body = reply.text ? String(reply.body) : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    "content-type": reply.text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

// A rebuild blocks the event loop for seconds; with Node's 5 s default an idle
// keep-alive connection can be closed by the server just as a client reuses it
// (ECONNRESET), so idle connections are kept well beyond a rebuild.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createDevnetServer(chain: DevnetChain, onError: (error: unknown) => void): Server {
  const table = routes(chain);
  const server = createServer((message, response) => {
    void (async () => {
      const url = new URL(message.url ?? "/", "http://devnet.local");
      const method = message.method ?? "GET";
      try {
        const body = method === "POST" ? await readBody(message) : Buffer.alloc(0);
        await chain.whenIdle();
        for (const [routeMethod, pattern, handler] of table) {
          const match = pattern.exec(url.pathname);
          if (!match || routeMethod !== method) continue;
          const request: Request = {
            method,
            path: url.pathname,
            query: url.searchParams,
            params: match.slice(1),
            body,
            contentType: String(message.headers["content-type"] ?? ""),
          };
          send(response, await handler(request));
          return;
        }
        send(response, notFound(`no route for ${method} ${url.pathname}`));
      } catch (error) {
        if (error instanceof MempoolRejection) {
          send(response, { status: 400, body: error.toJSON() });
        } else if (error instanceof BadRequest) {
          send(response, { status: 400, body: { error: error.message } });
        } else {
          onError(error);
          if (!response.headersSent)
            send(response, { status: 500, body: { error: "internal error", message: String(error) } });
        }
      }
    })();
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}
