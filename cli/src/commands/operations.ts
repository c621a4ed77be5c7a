import { isServiceType, SERVICE_TYPES, type ServiceType } from "@voltstack/chain";
import {
  type DeadLetterState,
  SERVICE_NAMES,
  type ServiceName,
  settlementLineVerifies,
  type VoltstackClient,
} from "@voltstack/client";
import { formatStx, table } from "../output.js";
import { CliUsageError } from "../stack-file.js";

/** What a command gives back: the value (printed as JSON with --json) and its table. */
export interface CommandResult {
  value: unknown;
  render: () => string;
}

export interface CommandInput {
  client: VoltstackClient;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  progress: <T>(label: string, work: () => Promise<T>) => Promise<T>;
}

export interface OperationCommand {
  usage: string;
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

const fields = (value: object) => () =>
  table(
    ["field", "value"],
    Object.entries(value).map(([key, entry]) => [key, typeof entry === "object" ? JSON.stringify(entry) : entry]),
  );

/** The operator's commands, by `<group> <action>`. */
export const OPERATIONS: Record<string, OperationCommand> = {
  "facilities list": {
    usage: "facilities list [--status pending|approved|rejected|suspended] [--owner <principal>]",
    summary: "facilities with their status",
    run: async ({ client, flags }) => {
      const status = optionalText(flags.status) as "pending" | undefined;
      const owner = optionalText(flags.owner);
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
    run: async ({ client, args }) => {
      const facility = await client.facilities.get(positiveInt(args[0], "The facility id"));
      return { value: facility, render: fields(facility) };
    },
  },
  "facilities register": {
    usage:
      "facilities register --owner <principal> --name <name> --location <text> --capacity-kwh <n> --max-power-kw <n>",
    summary: "register a facility for its owner (as an owner)",
    run: async ({ client, flags, progress }) => {
      const result = await progress("registering (waiting for the block)", () =>
        client.facilities.register({
          owner: text(flags.owner, "--owner"),
          name: text(flags.name, "--name"),
          location: optionalText(flags.location) ?? "",
          capacityKwh: positiveInt(flags["capacity-kwh"], "--capacity-kwh"),
          maxPowerKw: positiveInt(flags["max-power-kw"], "--max-power-kw"),
        }),
      );
      return written(`facility ${result.facilityId} registered`)(result);
    },
  },
  "facilities approve": review("approve"),
  "facilities suspend": review("suspend"),
  "facilities reinstate": review("reinstate"),
  "facilities reject": {
    usage: "facilities reject <id> --reason <text>",
    summary: "reject a pending facility (as an admin)",
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
    run: async ({ client, args, flags }) => {
      const reading = await client.capacity.recordReading(positiveInt(args[0], "The facility id"), {
        storedKwh: positiveInt(flags["stored-kwh"], "--stored-kwh"),
      });
      return { value: reading, render: fields(reading) };
    },
  },
  "demand show": {
    usage: "demand show",
    summary: "grid demand and thresholds",
    run: async ({ client }) => {
      const demand = await client.flow.demand();
      return { value: demand, render: fields(demand) };
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
    run: async ({ client, flags }) => {
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
              formatStx(r.paymentUstx),
              formatStx(r.payoutUstx),
              r.expiresAt,
            ]),
          ),
      };
    },
  },
  "requests show": {
    usage: "requests show <id>",
    summary: "one grid-service request",
    run: async ({ client, args }) => {
      const request = await client.grid.getRequest(positiveInt(args[0], "The request id"));
      return { value: request, render: fields(request) };
    },
  },
  "requests create": {
    usage: `requests create --type <${SERVICE_TYPES.join("|")}> --power-kw <n> --energy-kwh <n> --payment-ustx <n> --expires-at <block height>`,
    summary: "open a request, its payment escrowed (as an admin)",
    run: async ({ client, flags, progress }) => {
      const payment = text(flags["payment-ustx"], "--payment-ustx");
      const result = await progress("creating the request", () =>
        client.grid.createRequest({
          serviceType: serviceTypeArg(flags.type),
          powerKw: positiveInt(flags["power-kw"], "--power-kw"),
          energyKwh: positiveInt(flags["energy-kwh"], "--energy-kwh"),
          paymentUstx: payment,
          expiresAt: positiveInt(flags["expires-at"], "--expires-at"),
        }),
      );
      return written(`request ${result.requestId} created, ${payment} µSTX escrowed`)(result);
    },
  },
  "requests accept": {
    usage: "requests accept <id> --facility <facility id>",
    summary: "accept a request for a facility (as its owner or operator)",
    run: async ({ client, args, flags, progress }) => {
      const id = positiveInt(args[0], "The request id");
      const facilityId = positiveInt(flags.facility, "--facility");
      const result = await progress(`accepting request ${id}`, () => client.grid.accept(id, { facilityId }));
      return written(`request ${id} accepted by facility ${facilityId}`)(result);
    },
  },
  "requests fulfil": {
    usage: "requests fulfil <id> --performance-bps <0..10000>",
    summary: "fulfil an accepted request; the payout goes to the facility's pool (as an admin)",
    run: async ({ client, args, flags, progress }) => {
      const id = positiveInt(args[0], "The request id");
      const result = await progress(`fulfilling request ${id}`, () =>
        client.grid.fulfil(id, { performanceBps: positiveInt(flags["performance-bps"], "--performance-bps") }),
      );
      return written(`request ${id} fulfilled, payout ${formatStx(result.payoutUstx)}`)(result);
    },
  },
  "requests cancel": {
    usage: "requests cancel <id>",
    summary: "cancel a request and refund its escrow (as an admin)",
    run: async ({ client, args, progress }) => {
      const id = positiveInt(args[0], "The request id");
      const result = await progress(`cancelling request ${id}`, () => client.grid.cancel(id));
      return written(`request ${id} cancelled`)(result);
    },
  },
  "programs list": {
    usage: "programs list [--status active|closed|cancelled]",
    summary: "grid-service programs with their budget and what was settled",
    run: async ({ client, flags }) => {
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
              formatStx(p.budgetUstx),
              formatStx(p.settledUstx),
              formatStx(p.remainingUstx),
            ]),
          ),
      };
    },
  },
  "programs create": {
    usage:
      "programs create --product <name> --start-height <n> --period-blocks <n> --periods <n> --capacity-price-ustx <n> --energy-price-ustx <n> --budget-ustx <n> --settle-window <blocks>",
    summary: "create a program and escrow its budget (as an admin)",
    run: async ({ client, flags, progress }) => {
      const result = await progress("creating the program", () =>
        client.programs.create({
          product: text(flags.product, "--product"),
          startHeight: positiveInt(flags["start-height"], "--start-height"),
          periodBlocks: positiveInt(flags["period-blocks"], "--period-blocks"),
          periodCount: positiveInt(flags.periods, "--periods"),
          capacityPriceUstx: String(positiveInt(flags["capacity-price-ustx"], "--capacity-price-ustx")),
          energyPriceUstx: String(positiveInt(flags["energy-price-ustx"], "--energy-price-ustx")),
          budgetUstx: String(positiveInt(flags["budget-ustx"], "--budget-ustx")),
          settleWindow: positiveInt(flags["settle-window"], "--settle-window"),
        }),
      );
      return written(`program ${result.programId} created`)(result);
    },
  },
  "programs enrol": {
    usage: "programs enrol <program> --facility <id> --committed-kw <n>",
    summary: "enrol a facility with a committed power (as its owner or an operator)",
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
    run: async ({ client, args, progress }) => {
      const programId = positiveInt(args[0], "The program id");
      const result = await progress(`closing program ${programId}`, () => client.programs.close(programId));
      return written(`program ${programId} closed, ${formatStx(result.refundUstx)} refunded`)(result);
    },
  },
  "programs line": {
    usage: "programs line <program> <period> <facility>",
    summary: "a facility's settlement line with its proof, re-hashed here against the recorded report hash",
    run: async ({ client, args }) => {
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
            fields({ ...answer.line, reportHash: answer.settlement.reportHash, txid: answer.settlement.txid })(),
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
    run: async ({ client, args, progress }) => {
      const id = positiveInt(args[0], "The facility id");
      const shares = args.slice(1).map((entry) => {
        const [stakeholder, bps] = entry.split("=");
        return { stakeholder: text(stakeholder, "A stakeholder"), shareBps: positiveInt(bps, `The share of ${entry}`) };
      });
      const result = await progress(`setting the shares of facility ${id}`, () => client.revenue.setShares(id, shares));
      return written(`shares of facility ${id} set (version ${result.sharesVersion})`)(result);
    },
  },
  "pool show": {
    usage: "pool show <facility>",
    summary: "a facility's revenue pool and shares",
    run: async ({ client, args }) => {
      const pool = await client.revenue.pool(positiveInt(args[0], "The facility id"));
      return {
        value: pool,
        render: () =>
          [
            `balance ${formatStx(pool.balanceUstx)}, deposited ${formatStx(pool.depositedUstx)}, distributed ${formatStx(pool.distributedUstx)}`,
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
    summary: "payment history with totals; --csv for accounting",
    run: async ({ client, flags }) => {
      const stakeholder = optionalText(flags.stakeholder);
      if (flags.csv) {
        const csv = stakeholder
          ? await client.revenue.stakeholderPaymentsCsv(stakeholder)
          : await client.revenue.facilityPaymentsCsv(positiveInt(flags.facility, "--facility or --stakeholder"));
        return { value: csv, render: () => csv.trimEnd() };
      }
      const history = stakeholder
        ? await client.revenue.stakeholderPayments(stakeholder)
        : await client.revenue.facilityPayments(positiveInt(flags.facility, "--facility or --stakeholder"));
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
                formatStx(p.amountUstx),
                p.blockHeight,
              ]),
            ),
            `${history.count} payments, total ${formatStx(history.totalUstx)}`,
          ].join("\n"),
      };
    },
  },
  "transactions list": {
    usage: "transactions list <service> [--status pending|confirmed|failed]",
    summary: "the chain transactions a service sent, and how they ended",
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
    run: async ({ client, args, flags, progress }) => {
      const service = serviceArg(args[0]);
      const fromHeight = flags["from-height"] === undefined ? 0 : positiveInt(flags["from-height"], "--from-height");
      const result = await progress(`re-syncing ${service} from height ${fromHeight}`, () =>
        client.resync(service, fromHeight),
      );
      return { value: result, render: () => `${service}: read model rebuilt up to height ${result.syncedHeight}` };
    },
  },
  status: {
    usage: "status",
    summary: "whether each service is ready",
    run: async ({ client }) => {
      const states = await Promise.all(
        SERVICE_NAMES.map(async (name) => ({ service: name, ready: await client.ready(name) })),
      );
      return {
        value: states,
        render: () =>
          table(
            ["service", "ready"],
            states.map((state) => [state.service, state.ready ? "yes" : "NO"]),
          ),
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
      const result = await progress(`${action} facility ${id}`, () => client.facilities[action](id));
      return written(`facility ${id}: ${action} confirmed`)(result);
    },
  };
}
