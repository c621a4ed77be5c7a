// The API routes a client should use from v9 on (the replacements of the
// deprecated v1 routes): contract logs with cursor paging, v3 transactions and
// their events, principal nonces and a block's transactions. Each validates its
// parameters as the API's route schema does and pages exactly as the API's
// datastore query does.
import { ApiError, invalidRequest, notFound } from "./api-errors.js";
import {
  ADDRESS_PATTERN,
  PAGE_LIMITS,
  TX_ID_PATTERN,
  heightOrHash,
  matchPattern,
  queryInteger,
  queryPattern,
  v3Limit,
} from "./api-params.js";
import { parseEventCursor, pageContractLogs, type ApiView } from "./api-view.js";
import {
  TRANSACTION_INCLUDE_FIELDS,
  contractLogJson,
  mempoolTransactionJson,
  minedTransactionJson,
  principalNoncesJson,
  transactionEventsOf,
  transactionSummaryJson,
  type BlockTransactionsJson,
  type ContractLogsJson,
  type TransactionEventsJson,
  type TransactionInclude,
} from "./api-v3-shapes.js";
import type { BlockInfo } from "./block-index.js";
import { ok, type Route, type RouteContext } from "./http-route.js";

const EVENT_CURSOR_PATTERN = "^[0-9]+:[0-9]+:[0-9]+:[0-9]+$";
const TX_EVENT_CURSOR_PATTERN = "^[0-9]+$";
const TX_CURSOR_PATTERN = "^[0-9]+:[0-9]+:[0-9]+$";
/** The API's MAX_TX_INDEX (src/datastore/v3/helpers.ts). */
const MAX_TX_INDEX = 0x7fff;
const I32_MAX = 2147483647;

/** `include` as repeated values or one comma-separated value, checked against the enum and for duplicates. */
function includeFields(query: URLSearchParams): TransactionInclude[] {
  const values = query.getAll("include").flatMap((value) => value.split(","));
  values.forEach((value, index) => {
    if (!(TRANSACTION_INCLUDE_FIELDS as readonly string[]).includes(value)) {
      const at = `querystring/include/${index}`;
      const message = [
        ...TRANSACTION_INCLUDE_FIELDS.map(() => `${at} must be equal to constant`),
        `${at} must match a schema in anyOf`,
      ].join(", ");
      throw new ApiError(400, message, "FST_ERR_VALIDATION");
    }
  });
  for (let later = 1; later < values.length; later += 1) {
    const earlier = values.indexOf(values[later]!);
    if (earlier < later) {
      throw new ApiError(
        400,
        `querystring/include must NOT have duplicate items (items ## ${later} and ${earlier} are identical)`,
        "FST_ERR_VALIDATION",
      );
    }
  }
  return values as TransactionInclude[];
}

function eventCount(view: ApiView, txid: string): number {
  const state = view.txState(txid);
  return state?.kind === "mined" ? transactionEventsOf(state.record).length : 0;
}

function resolveBlock(view: ApiView, raw: string): BlockInfo | undefined {
  const id = heightOrHash(raw);
  if ("latest" in id) return view.block(view.indexedTipHeight);
  if ("hash" in id) return view.blockByHash(id.hash);
  return view.block(id.height);
}

export function v3Routes({ view }: RouteContext): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/extended\/v2\/smart-contracts\/([^/]+)\/logs$/,
      handler: (request) => {
        // The route's contract_id has no pattern: an unknown or malformed id is an empty list.
        const contractId = decodeURIComponent(request.params[0]!);
        const limitParam = queryInteger(request.query, "limit", {
          minimum: 0,
          maximum: PAGE_LIMITS.event.maxLimit,
          default: PAGE_LIMITS.event.defaultLimit,
        })!;
        const bound = PAGE_LIMITS.event.maxLimit * 10;
        const offset = queryInteger(request.query, "offset", { minimum: -bound, maximum: bound, default: 0 })!;
        const cursor = queryPattern(request.query, "cursor", EVENT_CURSOR_PATTERN);
        // getPagingQueryLimit treats 0 as "not given".
        const limit = limitParam === 0 ? PAGE_LIMITS.event.defaultLimit : limitParam;
        // The query's OFFSET takes the value as is, and PostgreSQL refuses a negative one.
        if (offset < 0) throw new ApiError(500, "OFFSET must not be negative");
        const page = pageContractLogs(
          view.contractLogs(contractId),
          limit,
          offset,
          cursor ? parseEventCursor(cursor) : undefined,
        );
        if (cursor && !page.currentCursor) throw notFound("Cursor not found");
        const body: ContractLogsJson = {
          limit,
          offset,
          total: page.total,
          next_cursor: page.nextCursor,
          prev_cursor: page.prevCursor,
          cursor: page.currentCursor,
          results: page.rows.map(contractLogJson),
        };
        return ok(body);
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v3\/transactions\/([^/]+)$/,
      handler: (request) => {
        const txid = matchPattern("params", "tx_id", request.params[0]!, TX_ID_PATTERN)!;
        const include = includeFields(request.query);
        const state = view.txState(txid);
        // Dropped transactions are pruned from the API's mempool table, which this route reads with pruned = false.
        if (!state || state.kind === "dropped") throw notFound("Transaction not found");
        if (state.kind === "mined")
          return ok(minedTransactionJson(state.record, state.block, eventCount(view, txid), include));
        return ok(mempoolTransactionJson(state.record, "pending", include));
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v3\/transactions\/([^/]+)\/events$/,
      handler: (request) => {
        const txid = matchPattern("params", "tx_id", request.params[0]!, TX_ID_PATTERN)!;
        const limit = v3Limit(request.query, PAGE_LIMITS.event);
        const cursor = queryPattern(request.query, "cursor", TX_EVENT_CURSOR_PATTERN);
        const state = view.txState(txid);
        // Events exist only for mined transactions; the datastore throws InvalidRequestError (400) otherwise.
        if (state?.kind !== "mined") throw invalidRequest("Transaction not found");
        const all = transactionEventsOf(state.record);
        const from = cursor === undefined ? all : all.filter((event) => event.event_index >= Number(cursor));
        const results = from.slice(0, limit);
        const extra = from[limit];
        const first = results[0];
        const body: TransactionEventsJson = {
          total: all.length,
          limit,
          cursor: {
            next: extra ? String(extra.event_index) : null,
            previous: first && first.event_index > 0 ? String(Math.max(first.event_index - limit, 0)) : null,
            current: first ? String(first.event_index) : null,
          },
          results,
        };
        return ok(body);
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v3\/principals\/([^/]+)\/nonces$/,
      handler: (request) => {
        // Only standard principals have nonces: the route's schema refuses a contract id.
        const principal = matchPattern("params", "principal", request.params[0]!, ADDRESS_PATTERN)!;
        return ok(principalNoncesJson(view.nonces(principal)));
      },
    },
    {
      method: "GET",
      pattern: /^\/extended\/v3\/blocks\/([^/]+)\/transactions$/,
      handler: (request) => {
        const raw = request.params[0]!;
        const limit = v3Limit(request.query, PAGE_LIMITS.tx);
        const cursor = queryPattern(request.query, "cursor", TX_CURSOR_PATTERN);
        const block = resolveBlock(view, raw);
        if (!block) throw notFound("Block not found");
        // Newest first: (block_height, microblock_sequence, tx_index) DESC.
        const rows = block.txids
          .map((txid) => view.chain.records.get(txid)!)
          .sort((a, b) => (b.txIndex ?? 0) - (a.txIndex ?? 0));
        const key = (txIndex: number) => `${block.height}:${I32_MAX}:${txIndex}`;
        let below = rows;
        if (cursor) {
          const [height = 0, sequence = 0, txIndex = 0] = cursor.split(":").map(Number);
          // resolveTransactionCursor: "h:0:0" that is not an exact transaction means the whole block h.
          const wholeBlock = sequence === 0 && txIndex === 0;
          const bound = wholeBlock ? [height, I32_MAX, MAX_TX_INDEX] : [height, sequence, txIndex];
          below = rows.filter((record) => {
            const tuple = [block.height, I32_MAX, record.txIndex ?? 0];
            for (let i = 0; i < 3; i += 1) if (tuple[i] !== bound[i]) return tuple[i]! < bound[i]!;
            return true;
          });
        }
        const results = below.slice(0, limit);
        const extra = below[limit];
        const first = results[0];
        const above = first ? rows.filter((record) => (record.txIndex ?? 0) > (first.txIndex ?? 0)).reverse() : [];
        const previous = above.slice(0, limit).at(-1);
        const body: BlockTransactionsJson = {
          limit,
          total: block.txids.length,
          cursor: {
            next: extra ? key(extra.txIndex ?? 0) : null,
            previous: previous ? key(previous.txIndex ?? 0) : null,
            current: first ? key(first.txIndex ?? 0) : null,
          },
          results: results.map((record) => transactionSummaryJson(record, block)),
        };
        return ok(body);
      },
    },
  ];
}
