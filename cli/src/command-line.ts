import { closestMatches, didYouMean } from "./suggest.js";
import { CliUsageError } from "./stack-file.js";

/** The options a command takes: `flags` with a value (`--name <value>`), `switches` without. */
export interface CommandOptions {
  flags?: readonly string[];
  switches?: readonly string[];
}

/** A command of the catalogue as the parser sees it. */
export interface CommandSpec extends CommandOptions {
  usage: string;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  flags: ["as", "idempotency-key"],
  switches: ["json", "ustx", "help"],
} as const satisfies CommandOptions;

export interface CommandLine {
  /** The command's name as in the catalogue ("facilities approve", "status"); undefined for the overview. */
  name: string | undefined;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

interface Token {
  option?: string;
  value?: string;
  positional?: string;
}

function tokenize(argv: readonly string[], valueFlags: ReadonlySet<string>): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index]!;
    if (word === "--") {
      tokens.push(...argv.slice(index + 1).map((positional) => ({ positional })));
      break;
    }
    if (word === "-h") {
      tokens.push({ option: "help" });
    } else if (word.startsWith("--") && word.length > 2) {
      const [option, inline] = splitOnce(word.slice(2), "=");
      if (inline !== undefined) tokens.push({ option, value: inline });
      else if (valueFlags.has(option) && index + 1 < argv.length) tokens.push({ option, value: argv[(index += 1)]! });
      else tokens.push({ option });
    } else {
      tokens.push({ positional: word });
    }
  }
  return tokens;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Reads `voltstack <command> [args] [--options]` against the catalogue: the command by its
 * one or two words, its arguments, and its options. A mistyped command, action or option is
 * a usage error that names the likely intended one instead of printing the whole help.
 */
export function parseCommandLine(
  argv: readonly string[],
  catalogue: Readonly<Record<string, CommandSpec>>,
): CommandLine {
  const every = [GLOBAL_OPTIONS, ...Object.values(catalogue)];
  const valueFlags = new Set(every.flatMap((spec) => spec.flags ?? []));
  const tokens = tokenize(argv, valueFlags);
  const positionals = tokens.flatMap((token) => (token.positional === undefined ? [] : [token.positional]));
  const [first, second] = positionals;
  const wantsHelp = tokens.some((token) => token.option === "help");

  let name: string | undefined;
  if (first !== undefined && first !== "help") {
    if (second !== undefined && catalogue[`${first} ${second}`]) name = `${first} ${second}`;
    else if (catalogue[first]) name = first;
    else throw unknownCommand(first, second, catalogue);
  }
  const spec = name ? catalogue[name]! : GLOBAL_OPTIONS;
  const accepted = {
    flags: [...GLOBAL_OPTIONS.flags, ...(spec.flags ?? [])],
    switches: [...GLOBAL_OPTIONS.switches, ...(spec.switches ?? [])],
  };

  const flags: Record<string, string | boolean | undefined> = {};
  for (const token of tokens) {
    if (token.option === undefined) continue;
    const option = token.option;
    if (accepted.flags.includes(option)) {
      if (token.value === undefined && !wantsHelp) {
        throw new CliUsageError("MISSING_ARGUMENT", `--${option} needs a value.${usageOf(name, catalogue)}`);
      }
      flags[option] = token.value;
    } else if (accepted.switches.includes(option)) {
      if (token.value !== undefined) {
        throw new CliUsageError("INVALID_ARGUMENT", `--${option} takes no value.${usageOf(name, catalogue)}`);
      }
      flags[option] = true;
    } else if (!wantsHelp) {
      throw unknownOption(option, name, [...accepted.flags, ...accepted.switches], catalogue);
    }
  }
  const args = name ? positionals.slice(name.split(" ").length) : [];
  return { name, args, flags };
}

function usageOf(name: string | undefined, catalogue: Readonly<Record<string, CommandSpec>>): string {
  return name ? `\nusage: voltstack ${catalogue[name]!.usage}` : "";
}

function unknownOption(
  option: string,
  name: string | undefined,
  accepted: readonly string[],
  catalogue: Readonly<Record<string, CommandSpec>>,
): CliUsageError {
  const where = name ? `\`${name}\`` : "voltstack";
  const suggestion = didYouMean(closestMatches(option, accepted).map((match) => `--${match}`));
  return new CliUsageError(
    "UNKNOWN_OPTION",
    `${where} has no option --${option}.${suggestion}${usageOf(name, catalogue)}`,
  );
}

function unknownCommand(
  first: string,
  second: string | undefined,
  catalogue: Readonly<Record<string, CommandSpec>>,
): CliUsageError {
  const names = Object.keys(catalogue);
  const groups = [...new Set(names.map((name) => name.split(" ")[0]!))];
  const actionsOf = (group: string) =>
    names.filter((name) => name.startsWith(`${group} `)).map((name) => name.slice(group.length + 1));
  const overview = "\nRun `voltstack --help` for every command.";

  if (groups.includes(first)) {
    const actions = actionsOf(first);
    if (second === undefined) {
      return new CliUsageError("UNKNOWN_COMMAND", `\`${first}\` needs an action: ${actions.join(", ")}.${overview}`);
    }
    return new CliUsageError(
      "UNKNOWN_COMMAND",
      `\`${first}\` has no action "${second}".${didYouMean(
        closestMatches(second, actions).map((action) => `${first} ${action}`),
      )} Its actions: ${actions.join(", ")}.`,
    );
  }
  // A mistyped group: suggest the whole command when the action exists there ("facilites approve").
  const nearGroups = closestMatches(first, groups);
  const whole =
    second === undefined
      ? []
      : nearGroups.filter((group) => actionsOf(group).includes(second)).map((g) => `${g} ${second}`);
  const typed = second === undefined || whole.length === 0 ? first : `${first} ${second}`;
  return new CliUsageError(
    "UNKNOWN_COMMAND",
    `Unknown command "${typed}".${didYouMean(whole.length > 0 ? whole : nearGroups)}${overview}`,
  );
}
