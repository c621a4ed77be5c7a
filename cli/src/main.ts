// `npx voltstack <command>`: starts the local system, runs the demo, and operates
// facilities, capacity, demand, requests and revenue through the services' HTTP APIs.
import { parseArgs } from "node:util";
import { ApiRequestError, WritePendingAnswer } from "@voltstack/client";
import { OPERATIONS } from "./commands/operations.js";
import { DeployError } from "./deploy/deploy-error.js";
import { ChainError } from "@voltstack/chain";
import { DEPLOY_USAGE } from "./deploy/deploy-usage.js";
import { createOutput, type Output } from "./output.js";
import { CliUsageError, connectClient } from "./stack-file.js";

const VALUE_FLAGS = [
  "as",
  "status",
  "owner",
  "name",
  "location",
  "capacity-kwh",
  "max-power-kw",
  "reason",
  "stored-kwh",
  "type",
  "power-kw",
  "energy-kwh",
  "payment-ustx",
  "expires-at",
  "facility",
  "performance-bps",
  "stakeholder",
  "from-height",
  "enabled",
  "after",
  "limit",
  "network",
  "deployer-key-file",
  "api-url",
  "record",
  "max-fee-ustx",
  "idempotency-key",
] as const;

function help(): string {
  const lines = Object.values(OPERATIONS).map((command) => `  ${command.usage}\n      ${command.summary}`);
  return [
    "usage: voltstack <command> [--as <caller>] [--json]",
    "",
    "  up           start the devnet, migrations and the five services, then tail the events (npm start)",
    "  demo         run the whole flow over the HTTP APIs and show the stakeholders' balances (npm run demo)",
    `  ${DEPLOY_USAGE}`,
    "      publish the five contracts in order (--plan: only say what would be done); writes deployments/<network>.json",
    ...lines,
    "",
    "--as <caller>  act as one of the local callers (admin, owner-1, owner-2, operator; default admin)",
    "--json         print the result as JSON for scripts; progress and notes go to stderr",
    "--idempotency-key <k>  the key of the command's write (default: a new UUID each run); repeating a command",
    "               with the same key never writes twice and answers the first outcome (exit code 3: still pending)",
    "Against a deployed system set VOLTSTACK_<SERVICE>_URL for the five services and VOLTSTACK_API_KEY.",
  ].join("\n");
}

async function run(argv: string[], output: Output): Promise<void> {
  const parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      csv: { type: "boolean" },
      plan: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(VALUE_FLAGS.map((flag) => [flag, { type: "string" as const }])),
    },
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  const [first, second, ...rest] = positionals;
  if (values.help || !first || first === "help") {
    output.note(help());
    return;
  }
  // Loaded on demand: `up` brings the devnet and its Clarity VM, which the other commands do not need.
  if (first === "up") return (await import("./commands/up.js")).up(output);
  if (first === "demo") return (await import("./commands/demo.js")).demo(output);
  // Loaded on demand too: it starts a simnet to measure the deployments' costs.
  if (first === "deploy") return (await import("./commands/deploy.js")).deploy(values, output);

  const twoWords = `${first} ${second ?? ""}`;
  const command = OPERATIONS[twoWords] ?? OPERATIONS[first];
  if (!command) throw new CliUsageError("UNKNOWN_COMMAND", `Unknown command "${positionals.join(" ")}".\n\n${help()}`);
  const args = OPERATIONS[twoWords] ? rest : positionals.slice(1);
  const { client } = await connectClient(
    typeof values.as === "string" ? values.as : undefined,
    typeof values["idempotency-key"] === "string" ? values["idempotency-key"] : undefined,
  );
  const result = await command.run({
    client,
    args,
    flags: values,
    progress: (label, work) => output.progress(label, work),
  });
  output.result(result.value, result.render);
}

const json = process.argv.includes("--json");
const output = createOutput(json);
try {
  await run(process.argv.slice(2), output);
} catch (error) {
  if (error instanceof WritePendingAnswer) {
    const pending = { txid: error.txid, poll: error.poll, idempotencyKey: error.idempotencyKey };
    if (json) process.stdout.write(`${JSON.stringify({ pending }, null, 2)}\n`);
    else
      process.stdout.write(
        `pending, poll ${error.poll} (repeat the command with --idempotency-key ${error.idempotencyKey} for its outcome)\n`,
      );
    // Neither done nor refused: scripts tell it from success (0), a refusal (1) and a usage error (2).
    process.exitCode = 3;
  } else if (error instanceof ApiRequestError) {
    const detail = { status: error.status, code: error.code, message: error.message, details: error.details };
    if (json) process.stdout.write(`${JSON.stringify({ error: detail }, null, 2)}\n`);
    else if (error.status === 0) process.stderr.write(`${error.request}: ${error.code}: ${error.message}\n`);
    else process.stderr.write(`${error.request} refused: ${error.code} (HTTP ${error.status}): ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof DeployError || error instanceof ChainError) {
    const detail = { code: error.code, message: error.message, details: error.details };
    if (json) process.stdout.write(`${JSON.stringify({ error: detail }, null, 2)}\n`);
    else process.stderr.write(`${error.code}: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof CliUsageError || (error instanceof TypeError && "code" in error)) {
    const code = error instanceof CliUsageError ? error.code : "INVALID_ARGUMENT";
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message: error.message } }, null, 2)}\n`);
    else process.stderr.write(`${code}: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
