import { ChainError } from "@voltstack/chain";
import { ApiRequestError, WritePendingAnswer } from "@voltstack/client";
import { type CommandSpec, parseCommandLine } from "./command-line.js";
import { OPERATIONS } from "./commands/operations.js";
import { DeployError } from "./deploy/deploy-error.js";
import { DEPLOY_USAGE } from "./deploy/deploy-usage.js";
import { createOutput, type Output, type OutputStreams } from "./output.js";
import { CliUsageError, connectClient, localCredentials } from "./stack-file.js";
import { closestMatches, didYouMean } from "./suggest.js";

/** The commands that are not calls to the services' APIs. */
const SYSTEM_COMMANDS: Record<string, CommandSpec & { summary: string }> = {
  up: {
    usage: "up",
    summary: "start the devnet, migrations and the five services, then tail the events (npm start)",
  },
  demo: {
    usage: "demo",
    summary: "run the whole flow over the HTTP APIs and show the stakeholders' balances (npm run demo)",
  },
  deploy: {
    usage: DEPLOY_USAGE,
    summary:
      "publish the five contracts in order (--plan: only say what would be done); writes deployments/<network>.json",
    flags: ["network", "deployer-key-file", "api-url", "record", "max-fee-ustx"],
    switches: ["plan"],
  },
};

const CATALOGUE: Record<string, CommandSpec & { summary: string }> = { ...SYSTEM_COMMANDS, ...OPERATIONS };

const STACKS_PRINCIPAL = /^S[PMTN][0-9A-Z]{38,40}(\.[a-zA-Z][a-zA-Z0-9-]{0,127})?$/;

export function help(): string {
  return [
    "usage: voltstack <command> [--as <caller>] [--json] [--ustx]",
    "",
    ...Object.values(CATALOGUE).map((command) => `  ${command.usage}\n      ${command.summary}`),
    "",
    "--as <caller>  act as one of the local callers (admin, owner-1, owner-2, operator; default admin)",
    "--json         print the result as JSON for scripts (amounts as exact micro-STX); progress and notes go to stderr",
    "--ustx         show amounts as micro-STX integers instead of STX (1 STX = 1,000,000 micro-STX)",
    "--idempotency-key <k>  the key of the command's write (default: a new UUID each run); repeating a command",
    "               with the same key never writes twice and answers the first outcome (exit code 3: still pending)",
    "Where a principal is asked for, a local caller's name (operator, owner-1) stands for its principal.",
    "Against a deployed system set VOLTSTACK_<SERVICE>_URL for the five services and VOLTSTACK_API_KEY.",
  ].join("\n");
}

async function run(argv: readonly string[], output: Output): Promise<void> {
  const { name, args, flags } = parseCommandLine(argv, CATALOGUE);
  if (!name) {
    output.note(help());
    return;
  }
  const command = CATALOGUE[name]!;
  if (flags.help) {
    output.note(`usage: voltstack ${command.usage}\n  ${command.summary}`);
    return;
  }
  // Loaded on demand: `up` brings the devnet and its Clarity VM, which the other commands do not need.
  if (name === "up") return (await import("./commands/up.js")).up(output);
  if (name === "demo") return (await import("./commands/demo.js")).demo(output);
  // Loaded on demand too: it starts a simnet to measure the deployments' costs.
  if (name === "deploy") return (await import("./commands/deploy.js")).deploy(flags, output);

  const as = typeof flags.as === "string" ? flags.as : undefined;
  const { client, stack } = await connectClient(
    as,
    typeof flags["idempotency-key"] === "string" ? flags["idempotency-key"] : undefined,
  ).catch(async (error: unknown) => {
    if (!(error instanceof CliUsageError) || error.code !== "UNKNOWN_CALLER" || as === undefined) throw error;
    const names = (await localCredentials()).map((credential) => credential.name);
    throw new CliUsageError(error.code, `${error.message}${didYouMean(closestMatches(as, names))}`);
  });
  const principal = async (nameOrPrincipal: string): Promise<string> => {
    if (STACKS_PRINCIPAL.test(nameOrPrincipal)) return nameOrPrincipal;
    const credentials = stack ? await localCredentials() : [];
    const found = credentials.find((credential) => credential.name === nameOrPrincipal);
    if (!found) {
      const known = credentials.map((credential) => credential.name);
      throw new CliUsageError(
        "INVALID_ARGUMENT",
        `"${nameOrPrincipal}" is neither a Stacks principal nor a local caller` +
          (known.length > 0 ? ` (${known.join(", ")})` : "") +
          ".",
      );
    }
    return found.principal;
  };
  const caller = async (): Promise<string | undefined> =>
    stack ? (await localCredentials()).find((credential) => credential.name === (as ?? "admin"))?.principal : undefined;

  const result = await OPERATIONS[name]!.run({
    client,
    args,
    flags,
    progress: (label, work) => output.progress(label, work),
    money: (ustx) => output.money(ustx),
    principal,
    caller,
  });
  output.result(result.value, result.render);
  if (result.aside) output.aside(result.aside);
}

/**
 * `voltstack <argv>`: runs the command and answers its exit code: 0 done, 1 refused or
 * failed by a service or the chain, 2 a usage error or no system to talk to, 3 a write
 * still pending. Anything else is a fault of the CLI and is thrown.
 */
export async function runCli(
  argv: readonly string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const json = argv.includes("--json");
  const output = createOutput(json, argv.includes("--ustx") ? "ustx" : "stx", streams);
  const print = (value: unknown) => streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    await run(argv, output);
    return 0;
  } catch (error) {
    if (error instanceof WritePendingAnswer) {
      const pending = { txid: error.txid, poll: error.poll, idempotencyKey: error.idempotencyKey };
      if (json) print({ pending });
      else
        streams.stdout.write(
          `pending, poll ${error.poll} (repeat the command with --idempotency-key ${error.idempotencyKey} for its outcome)\n`,
        );
      // Neither done nor refused: scripts tell it from success (0), a refusal (1) and a usage error (2).
      return 3;
    }
    if (error instanceof ApiRequestError) {
      const detail = { status: error.status, code: error.code, message: error.message, details: error.details };
      if (json) print({ error: detail });
      else if (error.status === 0) streams.stderr.write(`${error.request}: ${error.code}: ${error.message}\n`);
      else streams.stderr.write(`${error.request} refused: ${error.code} (HTTP ${error.status}): ${error.message}\n`);
      return 1;
    }
    if (error instanceof DeployError || error instanceof ChainError) {
      const detail = { code: error.code, message: error.message, details: error.details };
      if (json) print({ error: detail });
      else streams.stderr.write(`${error.code}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof CliUsageError) {
      if (json) print({ error: { code: error.code, message: error.message } });
      else streams.stderr.write(`${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
