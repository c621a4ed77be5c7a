import { isServiceType, SERVICE_TYPES, type ServiceType } from "@voltstack/api";
import {
  ApiRequestError,
  type DeadLetterState,
  SERVICE_NAMES,
  type ServiceName,
  settlementLineVerifies,
  type VoltstackClient,
} from "@voltstack/client";
import { parseStx, type Ustx } from "../amounts.js";
import type { CommandSpec } from "../command-line.js";
import { table } from "../output.js";
import { CliUsageError } from "../stack-file.js";
import { expiryHeight } from "./expiry.js";

/** What a command gives back: the value (printed as JSON with --json) and its table. */
export interface CommandResult {
  value: unknown;
  render: () => string;
  /** Lines for people kept out of stdout (a CSV export's totals): printed on stderr. */
  aside?: string;
}

export interface CommandInput {
  client: VoltstackClient;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  progress: <T>(label: string, work: () => Promise<T>) => Promise<T>;
  /** An amount as people asked to see it (STX with separators, or micro-STX with --ustx). */
  money: (ustx: Ustx) => string;
  /** A principal, or the name of a local caller (`operator`, `owner-1`) for its principal. */
  principal: (nameOrPrincipal: string) => Promise<string>;
  /** The principal the command acts as, when the caller is a local one. */
  caller: () => Promise<string | undefined>;
}

export interface OperationCommand extends CommandSpec {
  summary: string;
  run(input: CommandInput): Promise<CommandResult>;
}

function positiveInt(value: string | boolean | undefined, what: string): number {
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliUsageError("INVALID_ARGUMENT", `${what} must be a whole number, got ${String(value ?? "nothing")}.`);
  }
  return Number(value);
}

function text(value: string | boolean | undefined, what: string): string {
  if (typeof value !== "string" || value === "") throw new CliUsageError("MISSING_ARGUMENT", `${what} is required.`);
  return value;
}

function boolean(value: string | boolean | undefined, what: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw new CliUsageError("INVALID_ARGUMENT", `${what} must be true or false, got ${String(value ?? "nothing")}.`);
}

function optionalText(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function serviceArg(value: string | undefined): ServiceName {
  if (!value || !(SERVICE_NAMES as readonly string[]).includes(value)) {
    throw new CliUsageError("INVALID_ARGUMENT", `Name a service: ${SERVICE_NAMES.join(", ")}.`);
  }
  return value as ServiceName;
}

/** An amount given in STX (`--<name>`) or in micro-STX (`--<name>-ustx`), exactly one of them. */
function amountUstx(flags: Record<string, string | boolean | undefined>, name: string): bigint {
  const stx = flags[name];
  const ustx = flags[`${name}-ustx`];
  if ((stx === undefined) === (ustx === undefined)) {
    throw new CliUsageError("MISSING_ARGUMENT", `Give either --${name} <STX> or --${name}-ustx <micro-STX>.`);
  }
  if (ustx !== undefined) return BigInt(positiveIntText(ustx, `--${name}-ustx`));
  const parsed = parseStx(String(stx));
  if (parsed === null) {
    throw new CliUsageError(
      "INVALID_ARGUMENT",
      `--${name} is an amount of STX with at most six decimals (1,000.5), got ${String(stx)}.`,
    );
  }
  return parsed;
}

/** A whole number of any size (micro-STX), as its digits. */
function positiveIntText(value: string | boolean | undefined, what: string): string {
  if (typeof value !== "string" || !/^\d+$/.test(value)) {
    throw new CliUsageError("INVALID_ARGUMENT", `${what} must be a whole number, got ${String(value ?? "nothing")}.`);
  }
  return value;
}

function serviceTypeArg(value: string | boolean | undefined): ServiceType {
  const type = text(value, "--type");
  if (!isServiceType(type)) {
    throw new CliUsageError("INVALID_ARGUMENT", `--type must be one of ${SERVICE_TYPES.join(", ")}, not "${type}".`);
  }
  return type;
}

const written = (label: string) => (value: { txid: string; blockHeight: number }) => ({
  value,
  render: () => `${label}: confirmed in block ${value.blockHeight}, tx ${value.txid}`,
});

/** One record as a two-column table; amounts (the fields named `…Ustx`) in the unit people asked for. */
const fields = (value: object, money: (ustx: Ustx) => string) => () =>
  table(
    ["field", "value"],
    Object.entries(value).map(([key, entry]) => {
      if (/Ustx$/.test(key) && (typeof entry === "string" || typeof entry === "number")) {
        return [key.replace(/Ustx$/, ""), money(entry)];
      }
      return [key, typeof entry === "object" && entry !== null ? JSON.stringify(entry) : entry];
    }),
  );

/** The operator's commands, by `<group> <action>`. */
export const OPERATIONS: Record<string, OperationCommand> = {
  "facilities list": {
    usage: "facilities list [--status pending|approved|rejected|suspended] [--owner <principal or local caller>]",
    summary: "facilities with their status",
    flags: ["status", "owner"],
    run: async ({ client, flags, principal }) => {
      const status = optionalText(flags.status) as "pending" | undefined;
      const owner = flags.owner === undefined ? undefined : await principal(text(flags.owner, "--owner"));
      const page = await client.facilities.list({ ...(status ? { status } : {}), ...(owner ? { owner } : {}) });
      return {
        value: page,
        render: () =>
          table(
            ["id", "name", "status", "owner", "capacity kWh", "max kW", "last block"],
            page.items.map((f) => [f.id, f.name, f.status, f.owner, f.capacityKwh, f.maxPowerKw, f.lastHeight]),
          ),
      };
    },
  },
  "facilities show": {
    usage: "facilities show <id>",
    summary: "one facility",
    run: async ({ client, args, money }) => {
      const facility = await client.facilities.get(positiveInt(args[0], "The facility id"));
      return { value: facility, render: fields(facility, money) };
    },
  },
  "facilities register": {
    usage:
      "facilities register [--owner <principal>] --name <name> --location <text> --capacity-kwh <n> --max-power-kw <n>",
    summary: "register a facility for its owner (as an owner; --owner defaults to the local caller's principal)",
    flags: ["owner", "name", "location", "capacity-kwh", "max-power-kw"],
    run: async ({ client, flags, progress, principal, caller }) => {
      const owner = flags.owner === undefined ? await caller() : await principal(text(flags.owner, "--owner"));
      const result = await progress("registering (waiting for the block)", () =>
        client.facilities.register({
          owner: text(owner, "--owner"),
          name: text(flags.name, "--name"),
          location: optionalText(flags.location) ?? "",
          capacityKwh: positiveInt(flags["capacity-kwh"], "--capacity-kwh"),
          maxPowerKw: positiveInt(flags["max-power-kw"], "--max-power-kw"),
        }),
      );
      return written(
        `facility ${result.facilityId} registered, pending review (an admin: voltstack facilities approve ${result.facilityId})`,
      )(result);
    },
  },
  "facilities approve": review("approve"),
  "facilities suspend": review("suspend"),
  "facilities reinstate": review("reinstate"),
  "facilities reject": {
    usage: "facilities reject <id> --reason <text>",
    summary: "reject a pending facility (as an admin)",
    flags: ["reason"],
    run: async ({ client, args, flags, progress }) => {
      const id = positiveInt(args[0], "The facility id");
      const result = await progress(`rejecting facility ${id}`, () =>
        client.facilities.reject(id, { reason: text(flags.reason, "--reason") }),
      );
      return written(`facility ${id} rejected`)(result);
    },
  },
  "capacity list": {
    usage: "capacity list",
    summary: "stored, reserved and available energy per facility",
    run: async ({ client }) => {
      const page = await client.capacity.list();
      return {
        value: page,
        render: () =>
          table(
            ["facility", "total kWh", "stored kWh", "reserved kWh", "available kWh", "last change"],
            page.items.map((c) => [c.facilityId, c.totalKwh, c.storedKwh, c.reservedKwh, c.availableKwh, c.lastReason]),
          ),
      };
    },
  },
  "capacity init": {
    usage: "capacity init <facility> --stored-kwh <n>",
    summary: "initialise an approved facility's capacity (as its owner or operator)",
    flags: ["stored-kwh"],
    run: async ({ client, args, flags, progress }) => {
      const id = positiveInt(args[0], "The facility id");
      const result = await progress(`initialising facility ${id}`, () =>
        client.capacity.initialize(id, { storedKwh: positiveInt(flags["stored-kwh"], "--stored-kwh") }),
      );
      return written(`capacity of facility ${id} initialised`)(result);
    },
  },
  "capacity reading": {
    usage: "capacity reading <facility> --stored-kwh <n>",
    summary: "send a stored-energy reading (written to the chain when it changes enough)",
    flags: ["stored-kwh"],
    run: async ({ client, args, flags, money }) => {
      const reading = await client.capacity.recordReading(positiveInt(args[0], "The facility id"), {
        storedKwh: positiveInt(flags["stored-kwh"], "--stored-kwh"),
      });
      return { value: reading, render: fields(reading, money) };
    },
  },
  "demand show": {
    usage: "demand show",
    summary: "grid demand and thresholds",
    run: async ({ client, money }) => {
      const demand = await client.flow.demand();
      return { value: demand, render: fields(demand, money) };
    },
  },
  "demand set": {
    usage: "demand set <percent>",
    summary: "set the grid demand level (as an admin)",
    run: async ({ client, args, progress }) => {
      const percent = positiveInt(args[0], "The demand level");
      const result = await progress(`setting demand to ${percent} %`, () =>
        client.flow.setDemand({ demandLevelPercent: percent }),
      );
      return written(`demand set to ${percent} %`)(result);
    },
  },
  "oracles list": {
    usage: "oracles list",
    summary: "principals set as frequency oracles, enabled or not",
    run: async ({ client }) => {
      const list = await client.grid.oracles();
      return {
        value: list,
        render: () =>
          table(
            ["oracle", "enabled", "last block", "last tx"],
            list.items.map((o) => [o.oracle, o.enabled ? "yes" : "no", o.lastHeight, o.lastTxid]),
          ),
      };
    },
  },
  "oracles set": {
    usage: "oracles set <principal> --enabled true|false",
    summary: "enable or disable a frequency oracle (as an admin)",
    flags: ["enabled"],
    run: async ({ client, args, flags, progress }) => {
      const oracle = text(args[0], "The oracle's principal");
      const enabled = boolean(flags.enabled, "--enabled");
      const result = await progress(`${enabled ? "enabling" : "disabling"} oracle ${oracle}`, () =>
        client.grid.setOracle(oracle, { enabled }),
      );
      return written(`oracle ${oracle} ${enabled ? "enabled" : "disabled"}`)(result);
    },
  },
  "frequency readings": {
    usage: "frequency readings [--limit <1..100>] [--after <reading id>]",
    summary: "the frequency readings the grid service received, newest first, and which went on chain",
    flags: ["limit", "after"],
    run: async ({ client, flags }) => {
      const page = await client.grid.readings({
        ...(flags.limit === undefined ? {} : { limit: positiveInt(flags.limit, "--limit") }),
        ...(flags.after === undefined ? {} : { after: positiveInt(flags.after, "--after") }),
      });
      return {
        value: page,
        render: () =>
          [
            table(
              ["id", "measured at", "mHz", "deviating", "decision", "block", "tx", "source"],
              page.items.map((r) => [
                r.id,
                r.measuredAt,
                r.frequencyMhz,
                r.deviating ? "yes" : "no",
                r.decision,
                r.blockHeight,
                r.txid,
                r.source,
              ]),
            ),
            ...(page.nextAfter === null ? [] : [`more: --after ${page.nextAfter}`]),
          ].join("\n"),
      };
    },
  },
  "requests list": {
    usage: "requests list [--status open|accepted|fulfilled|cancelled]",
    summary: "grid-service requests",
    flags: ["status"],
    run: async ({ client, flags, money }) => {
      const status = optionalText(flags.status) as "open" | undefined;
      const page = await client.grid.listRequests(status ? { status } : {});
      return {
        value: page,
        render: () =>
          table(
            ["id", "type", "status", "facility", "kW", "kWh", "payment", "payout", "expires at"],
            page.items.map((r) => [
              r.id,
              r.serviceType,
              r.status,
              r.facilityId,
              r.powerKw,
              r.energyKwh,
              money(r.paymentUstx),
              money(r.payoutUstx),
              r.expiresAt,
            ]),
          ),
      };
    },
  },
  "requests show": {
    usage: "requests show <id>",
    summary: "one grid-service request",
    run: async ({ client, args, money }) => {
      const request = await client.grid.getRequest(positiveInt(args[0], "The request id"));
      return { value: request, render: fields(request, money) };
    },
  },
  "requests create": {
    usage: `requests create --type <${SERVICE_TYPES.join("|")}> --power-kw <n> --energy-kwh <n> (--payment <STX> | --payment-ustx <n>) (--expires-in <minutes> | --expires-at <block height>)`,
    summary:
      "open a request, its payment escrowed (as an admin); --expires-in counts blocks by the chain's measured block interval",
    flags: ["type", "power-kw", "energy-kwh", "payment", "payment-ustx", "expires-at", "expires-in"],
    run: async ({ client, flags, progress, money }) => {
      const paymentUstx = amountUstx(flags, "payment");
      const expiry = await expiryHeight(client, flags);
      const result = await progress(`creating the request (expires at block ${expiry.expiresAt})`, () =>
        client.grid.createRequest({
          serviceType: serviceTypeArg(flags.type),
          powerKw: positiveInt(flags["power-kw"], "--power-kw"),
          energyKwh: positiveInt(flags["energy-kwh"], "--energy-kwh"),
          paymentUstx: paymentUstx.toString(),
          expiresAt: expiry.expiresAt,
        }),
      );
      const created = written(
        `request ${result.requestId} created, ${money(paymentUstx)} escrowed, expires at block ${expiry.expiresAt}` +
          (expiry.explanation ? ` (${expiry.explanation})` : ""),
      )(result);
      return { ...created, value: { ...result, expiresAt: expiry.expiresAt } };
    },
  },
  "requests accept": {
    usage: "requests accept <id> --facility <facility id>",
    summary: "accept a request for a facility (as its owner or operator)",
    flags: ["facility"],
    run: async ({ client, args, flags, progress }) => {
      const id = positiveInt(args[0], "The request id");
      const facilityId = positiveInt(flags.facility, "--facility");
      const result = await progress(`accepting request ${id}`, () => client.grid.accept(id, { facilityId }));
      return written(`request ${id} accepted by facility ${facilityId}`)(result);
    },
  },
  "requests fulfil": {
    usage: "requests fulfil <id> --performance-bps <0..10000>",
    summary:
      "fulfil an accepted request: payment x performance to the facility's pool, the rest back to the requester (as an admin)",
    flags: ["performance-bps"],
    run: async ({ client, args, flags, progress, money }) => {
      const id = positiveInt(args[0], "The request id");
      const result = await progress(`fulfilling request ${id}`, () =>
        client.grid.fulfil(id, { performanceBps: positiveInt(flags["performance-bps"], "--performance-bps") }),
      );
      const request = await client.grid.getRequest(id);
      const fulfilled = written(
        `request ${id} fulfilled: ${money(result.payoutUstx)} paid into facility ${request.facilityId}'s pool, ` +
          `${money(request.refundUstx)} refunded to the requester ${request.requester}`,
      )(result);
      return { ...fulfilled, value: { ...result, refundUstx: request.refundUstx, requester: request.requester } };
    },
  },
  "requests cancel": {
    usage: "requests cancel <id>",
    summary: "cancel a request and refund its escrow (as an admin)",
    run: async ({ client, args, progress, money }) => {
      const id = positiveInt(args[0], "The request id");
      const result = await progress(`cancelling request ${id}`, () => client.grid.cancel(id));
      const request = await client.grid.getRequest(id);
      return written(`request ${id} cancelled, ${money(request.paymentUstx)} refunded to ${request.requester}`)(result);
    },
  },
  "programs list": {
    usage: "programs list [--status active|closed|cancelled]",
    summary: "grid-service programs with their budget and what was settled",
    flags: ["status"],
    run: async ({ client, flags, money }) => {
      const status = optionalText(flags.status) as "active" | undefined;
      const page = await client.programs.list(status ? { status } : {});
      return {
        value: page,
        render: () =>
          table(
            ["id", "product", "status", "start", "periods", "budget", "settled", "remaining"],
            page.items.map((p) => [
              p.id,
              p.product,
              p.status,
              p.startHeight,
              `${p.periodCount} x ${p.periodBlocks} blocks`,
              money(p.budgetUstx),
              money(p.settledUstx),
              money(p.remainingUstx),
            ]),
          ),
      };
    },
  },
  "programs create": {
    usage:
      "programs create --product <name> --start-height <n> --period-blocks <n> --periods <n> --capacity-price-ustx <n> --energy-price-ustx <n> (--budget <STX> | --budget-ustx <n>) --settle-window <blocks>",
    summary: "create a program and escrow its budget (as an admin)",
    flags: [
      "product",
      "start-height",
      "period-blocks",
      "periods",
      "capacity-price-ustx",
      "energy-price-ustx",
      "budget",
      "budget-ustx",
      "settle-window",
    ],
    run: async ({ client, flags, progress }) => {
      const result = await progress("creating the program", () =>
        client.programs.create({
          product: text(flags.product, "--product"),
          startHeight: positiveInt(flags["start-height"], "--start-height"),
          periodBlocks: positiveInt(flags["period-blocks"], "--period-blocks"),
          periodCount: positiveInt(flags.periods, "--periods"),
          capacityPriceUstx: positiveIntText(flags["capacity-price-ustx"], "--capacity-price-ustx"),
          energyPriceUstx: positiveIntText(flags["energy-price-ustx"], "--energy-price-ustx"),
          budgetUstx: amountUstx(flags, "budget").toString(),
          settleWindow: positiveInt(flags["settle-window"], "--settle-window"),
        }),
      );
      return written(`program ${result.programId} created`)(result);
    },
  },
  "programs enrol": {
    usage: "programs enrol <program> --facility <id> --committed-kw <n>",
    summary: "enrol a facility with a committed power (as its owner or an operator)",
    flags: ["facility", "committed-kw"],
    run: async ({ client, args, flags, progress }) => {
      const programId = positiveInt(args[0], "The program id");
      const facilityId = positiveInt(flags.facility, "--facility");
      const result = await progress(`enrolling facility ${facilityId}`, () =>
        client.programs.enrol(programId, {
          facilityId,
          committedKw: positiveInt(flags["committed-kw"], "--committed-kw"),
        }),
      );
      return written(
        `facility ${facilityId} enrolled in program ${programId} (cohort ${result.cohort}, slot ${result.slot})`,
      )(result);
    },
  },
  "programs close": {
    usage: "programs close <program>",
    summary: "close an ended program and refund what was not settled (as an admin or its operator)",
    run: async ({ client, args, progress, money }) => {
      const programId = positiveInt(args[0], "The program id");
      const result = await progress(`closing program ${programId}`, () => client.programs.close(programId));
      return written(`program ${programId} closed, ${money(result.refundUstx)} refunded`)(result);
    },
  },
  "programs line": {
    usage: "programs line <program> <period> <facility>",
    summary: "a facility's settlement line with its proof, re-hashed here against the recorded report hash",
    run: async ({ client, args, money }) => {
      const answer = await client.programs.line(
        positiveInt(args[0], "The program id"),
        positiveInt(args[1], "The period"),
        positiveInt(args[2], "The facility id"),
      );
      const verified = settlementLineVerifies(answer, answer.settlement.reportHash);
      return {
        value: { ...answer, verified },
        render: () =>
          [
            fields({ ...answer.line, reportHash: answer.settlement.reportHash, txid: answer.settlement.txid }, money)(),
            verified
              ? "the line and its proof re-hash to the settlement's report hash (compare it with get-settlement on chain)"
              : "the line does NOT re-hash to the settlement's report hash",
          ].join("\n"),
      };
    },
  },
  "shares set": {
    usage: "shares set <facility> <principal>=<basis points> ... (adding up to 10000)",
    summary: "set a facility's stakeholder shares (as its owner)",
    run: async ({ client, args, progress, principal }) => {
      const id = positiveInt(args[0], "The facility id");
      const shares = await Promise.all(
        args.slice(1).map(async (entry) => {
          const [stakeholder, bps] = entry.split("=");
          return {
            stakeholder: await principal(text(stakeholder, "A stakeholder")),
            shareBps: positiveInt(bps, `The share of ${entry}`),
          };
        }),
      );
      const result = await progress(`setting the shares of facility ${id}`, () => client.revenue.setShares(id, shares));
      return written(`shares of facility ${id} set (version ${result.sharesVersion})`)(result);
    },
  },
  "pool show": {
    usage: "pool show <facility>",
    summary: "a facility's revenue pool and shares",
    run: async ({ client, args, money }) => {
      const pool = await client.revenue.pool(positiveInt(args[0], "The facility id"));
      return {
        value: pool,
        render: () =>
          [
            `balance ${money(pool.balanceUstx)}, deposited ${money(pool.depositedUstx)}, distributed ${money(pool.distributedUstx)}`,
            table(
              ["stakeholder", "share bps"],
              pool.shares.map((share) => [share.stakeholder, share.shareBps]),
            ),
          ].join("\n"),
      };
    },
  },
  "payments list": {
    usage: "payments list (--facility <id> | --stakeholder <principal>) [--csv]",
    summary: "payment history with totals; --csv: one row per payment (micro-STX), the totals on stderr",
    flags: ["facility", "stakeholder"],
    switches: ["csv"],
    run: async ({ client, flags, money, principal }) => {
      const stakeholder =
        flags.stakeholder === undefined ? undefined : await principal(text(flags.stakeholder, "--stakeholder"));
      const facility = () => positiveInt(flags.facility, "--facility or --stakeholder");
      const history = stakeholder
        ? await client.revenue.stakeholderPayments(stakeholder)
        : await client.revenue.facilityPayments(facility());
      const totals = `${history.count} payments, total ${money(history.totalUstx)}`;
      if (flags.csv) {
        const csv = withoutSummaryRow(
          stakeholder
            ? await client.revenue.stakeholderPaymentsCsv(stakeholder)
            : await client.revenue.facilityPaymentsCsv(facility()),
        );
        return { value: csv, render: () => csv.trimEnd(), aside: totals };
      }
      return {
        value: history,
        render: () =>
          [
            table(
              ["payment", "distribution", "facility", "stakeholder", "share bps", "amount", "block"],
              history.items.map((p) => [
                p.paymentId,
                p.distributionId,
                p.facilityId,
                p.stakeholder,
                p.shareBps,
                money(p.amountUstx),
                p.blockHeight,
              ]),
            ),
            totals,
          ].join("\n"),
      };
    },
  },
  "transactions list": {
    usage: "transactions list <service> [--status pending|confirmed|failed]",
    summary: "the chain transactions a service sent, and how they ended",
    flags: ["status"],
    run: async ({ client, args, flags }) => {
      const status = optionalText(flags.status) as "pending" | undefined;
      const page = await client.transactions(serviceArg(args[0]), status ? { status } : {});
      return {
        value: page,
        render: () =>
          table(
            ["txid", "function", "status", "block", "error", "requested by"],
            page.items.map((t) => [t.txid, t.functionName, t.status, t.blockHeight, t.errorCode, t.requestedBy]),
          ),
      };
    },
  },
  "dead-letters list": {
    usage: "dead-letters list <service> [--state open|replayed|discarded|all]",
    summary: "events a service gave up on (open ones unless --state says otherwise)",
    flags: ["state"],
    run: async ({ client, args, flags }) => {
      const state = optionalText(flags.state) as DeadLetterState | undefined;
      const page = await client.deadLetters(serviceArg(args[0]), state ? { state } : {});
      return {
        value: page,
        render: () =>
          table(
            ["id", "subject", "error", "deliveries", "failed at", "replays", "discarded"],
            page.items.map((d) => [
              d.id,
              d.subject,
              d.errorCode,
              d.deliveries,
              d.failedAt,
              d.replayCount,
              d.discardedAt ? `${d.discardedAt} by ${d.discardedBy}: ${d.discardReason}` : "",
            ]),
          ),
      };
    },
  },
  "dead-letters replay": {
    usage: "dead-letters replay <service> <id>",
    summary: "publish a dead-lettered event again (as an admin)",
    run: async ({ client, args }) => {
      const letter = await client.replayDeadLetter(serviceArg(args[0]), text(args[1], "The dead letter's id"));
      return { value: letter, render: () => `dead letter ${letter.id} replayed (${letter.replayCount} replays)` };
    },
  },
  "dead-letters discard": {
    usage: "dead-letters discard <service> <id> --reason <why>",
    summary: "never replay a dead-lettered event, keeping why (as an admin)",
    flags: ["reason"],
    run: async ({ client, args, flags }) => {
      const letter = await client.discardDeadLetter(
        serviceArg(args[0]),
        text(args[1], "The dead letter's id"),
        text(flags.reason, "--reason"),
      );
      return {
        value: letter,
        render: () => `dead letter ${letter.id} discarded by ${letter.discardedBy}: ${letter.discardReason}`,
      };
    },
  },
  "resync run": {
    usage: "resync run <service> [--from-height <n>]",
    summary: "rebuild a service's read model from the chain (as an admin; default from height 0)",
    flags: ["from-height"],
    run: async ({ client, args, flags, progress }) => {
      const service = serviceArg(args[0]);
      const fromHeight = flags["from-height"] === undefined ? 0 : positiveInt(flags["from-height"], "--from-height");
      const result = await progress(`re-syncing ${service} from height ${fromHeight}`, () =>
        client.resync(service, fromHeight),
      );
      return { value: result, render: () => `${service}: read model rebuilt up to height ${result.syncedHeight}` };
    },
  },
  "operators list": {
    usage: "operators list <facility>",
    summary: "the operators a facility's owner delegated to, enabled or not",
    run: async ({ client, args }) => {
      const facility = await client.facilities.get(positiveInt(args[0], "The facility id"));
      return {
        value: { facilityId: facility.id, owner: facility.owner, operators: facility.operators },
        render: () =>
          [
            `facility ${facility.id} (${facility.name}), owner ${facility.owner}`,
            table(
              ["operator", "enabled", "since"],
              facility.operators.map((entry) => [entry.operator, entry.enabled ? "yes" : "no", entry.updatedAt]),
            ),
          ].join("\n"),
      };
    },
  },
  "operators enable": delegation(true),
  "operators disable": delegation(false),
  status: {
    usage: "status",
    summary: "the chain's tip and, per service, whether it is ready and how far its follower has read the chain",
    run: async ({ client }) => {
      const services = await Promise.all(
        SERVICE_NAMES.map(async (service) => {
          const [ready, sync] = await Promise.all([
            client.ready(service),
            client.syncStatus(service).then(
              (status) => ({ status }),
              (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
            ),
          ]);
          return { service, ready, ...("status" in sync ? sync.status : { error: sync.error }) };
        }),
      );
      const tips = services.flatMap((entry) => ("tipHeight" in entry ? [entry.tipHeight] : []));
      const intervals = services.flatMap((entry) =>
        "secondsPerBlock" in entry && entry.secondsPerBlock !== null ? [entry.secondsPerBlock] : [],
      );
      const tipHeight = tips.length > 0 ? Math.max(...tips) : null;
      const secondsPerBlock = intervals[0] ?? null;
      return {
        value: { tipHeight, secondsPerBlock, services },
        render: () =>
          [
            tipHeight === null
              ? "chain tip: unknown (no service could read it)"
              : `chain tip: block ${tipHeight}` +
                (secondsPerBlock === null ? "" : `, a block every ${secondsPerBlock} s on average`),
            table(
              ["service", "ready", "follower height", "lag (blocks)", "note"],
              services.map((entry) =>
                "followerHeight" in entry
                  ? [
                      entry.service,
                      entry.ready ? "yes" : "NO",
                      entry.followerHeight,
                      entry.lagBlocks,
                      entry.caughtUp ? "" : "catching up",
                    ]
                  : [entry.service, entry.ready ? "yes" : "NO", null, null, entry.error],
              ),
            ),
          ].join("\n"),
      };
    },
  },
};

function review(action: "approve" | "suspend" | "reinstate"): OperationCommand {
  return {
    usage: `facilities ${action} <id>`,
    summary: `${action} a facility (as an admin)`,
    run: async ({ client, args, progress }) => {
      const id = positiveInt(args[0], "The facility id");
      const result = await progress(`${action} facility ${id}`, () =>
        client.facilities[action](id).catch((error: unknown) => {
          throw error instanceof ApiRequestError && error.code === "ERR_NOT_PENDING"
            ? new ApiRequestError(
                error.status,
                error.code,
                `${error.message} The facilities waiting for review: voltstack facilities list --status pending`,
                error.details,
                error.request,
              )
            : error;
        }),
      );
      const done = { approve: "approved", suspend: "suspended", reinstate: "reinstated" }[action];
      return written(`facility ${id} ${done}`)(result);
    },
  };
}

/** `operators enable|disable <facility> <operator>`: the owner's delegation through the registry's set-operator. */
function delegation(enabled: boolean): OperationCommand {
  const verb = enabled ? "enable" : "disable";
  return {
    usage: `operators ${verb} <facility> <principal or local caller>`,
    summary: enabled
      ? "let an operator act for a facility: capacity, flows, accepting requests, distributing revenue (as its owner)"
      : "revoke an operator's delegation for a facility (as its owner)",
    run: async ({ client, args, progress, principal }) => {
      const id = positiveInt(args[0], "The facility id");
      const operator = await principal(text(args[1], "The operator"));
      const result = await progress(
        `${enabled ? "enabling" : "disabling"} operator ${operator} for facility ${id}`,
        () => client.facilities.setOperator(id, operator, enabled),
      );
      return written(`operator ${operator} ${enabled ? "enabled" : "disabled"} for facility ${id}`)(result);
    },
  };
}

/**
 * The revenue service's CSV without a summary row (older services end it with a `total` row,
 * which accounting imports read as a payment); the totals are printed apart.
 */
export function withoutSummaryRow(csv: string): string {
  const lines = csv.split(/\r\n|\n/);
  const kept = lines.filter((line, index) => index === 0 || !line.startsWith("total,"));
  return kept.join("\r\n");
}
