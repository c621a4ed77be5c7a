import { describe, expect, it } from "vitest";
import { type CommandSpec, GLOBAL_OPTIONS, parseCommandLine } from "../src/command-line.js";
import { OPERATIONS } from "../src/commands/operations.js";
import { help } from "../src/run-cli.js";
import { CliUsageError } from "../src/stack-file.js";
import { closestMatches, didYouMean } from "../src/suggest.js";

const CATALOGUE: Record<string, CommandSpec> = { ...OPERATIONS, demo: { usage: "demo" } };

function refusal(argv: string[]): CliUsageError {
  try {
    parseCommandLine(argv, CATALOGUE);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    return error as CliUsageError;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("reading the command line", () => {
  it("finds the command by its words, its arguments and its options wherever they stand", () => {
    expect(
      parseCommandLine(["--as", "owner-1", "requests", "accept", "4", "--facility=2", "--json"], CATALOGUE),
    ).toEqual({ name: "requests accept", args: ["4"], flags: { as: "owner-1", facility: "2", json: true } });
    expect(parseCommandLine(["status", "--ustx"], CATALOGUE)).toEqual({
      name: "status",
      args: [],
      flags: { ustx: true },
    });
    expect(parseCommandLine([], CATALOGUE).name).toBeUndefined();
  });

  it("accepts the options every command declares (the program commands' included)", () => {
    const parsed = parseCommandLine(
      ["programs", "create", "--product", "afrr", "--start-height", "10", "--budget", "1,000", "--settle-window", "5"],
      CATALOGUE,
    );
    expect(parsed.flags).toMatchObject({ product: "afrr", "start-height": "10", budget: "1,000" });
    expect(parseCommandLine(["dead-letters", "list", "grid", "--state", "all"], CATALOGUE).flags.state).toBe("all");
  });

  it("never gives one option name a value in one command and none in another", () => {
    const valued = new Set([...GLOBAL_OPTIONS.flags, ...Object.values(OPERATIONS).flatMap((c) => c.flags ?? [])]);
    const bare = [...GLOBAL_OPTIONS.switches, ...Object.values(OPERATIONS).flatMap((c) => c.switches ?? [])];
    expect(bare.filter((name) => valued.has(name))).toEqual([]);
  });

  it("suggests the command a typo meant instead of printing the whole help", () => {
    const group = refusal(["facilites", "list"]);
    expect(group.code).toBe("UNKNOWN_COMMAND");
    expect(group.message).toBe(
      'Unknown command "facilites list". Did you mean "facilities list"?\nRun `voltstack --help` for every command.',
    );
    expect(refusal(["facilities", "aprove", "1"]).message).toMatch(
      /^`facilities` has no action "aprove"\. Did you mean "facilities approve"\? Its actions: list, show, register, approve,/,
    );
    expect(refusal(["stauts"]).message).toContain('Did you mean "status"?');
    expect(refusal(["requests"]).message).toMatch(
      /^`requests` needs an action: list, show, create, accept, fulfil, cancel\./,
    );
    expect(refusal(["launch", "rockets"]).message).toBe(
      'Unknown command "launch".\nRun `voltstack --help` for every command.',
    );
    expect(refusal(["facilites", "list"]).message).not.toContain(help().split("\n")[2]);
  });

  it("suggests the option a typo meant, among the command's own, with the command's usage", () => {
    const typo = refusal(["requests", "create", "--expire-in", "30"]);
    expect(typo.code).toBe("UNKNOWN_OPTION");
    expect(typo.message).toMatch(
      /^`requests create` has no option --expire-in\. Did you mean "--expires-in"\?\nusage: voltstack requests create/,
    );
    // An option of another command is not one of this command's.
    expect(refusal(["facilities", "approve", "1", "--reason", "x"]).message).toMatch(
      /^`facilities approve` has no option --reason\./,
    );
    expect(refusal(["status", "--jsno"]).message).toContain('Did you mean "--json"?');
  });

  it("says which option lacks its value, and refuses a value for a switch", () => {
    expect(refusal(["requests", "accept", "1", "--facility"]).code).toBe("MISSING_ARGUMENT");
    expect(refusal(["payments", "list", "--facility", "1", "--csv=yes"]).code).toBe("INVALID_ARGUMENT");
  });

  it("lets --help name the command without checking its options", () => {
    expect(parseCommandLine(["operators", "enable", "--help", "--whatever"], CATALOGUE)).toMatchObject({
      name: "operators enable",
      flags: { help: true },
    });
  });
});

describe("suggestions", () => {
  it("picks the nearest candidates within a third of the word, and those the word begins", () => {
    expect(closestMatches("aprove", ["approve", "reject", "reinstate"])).toEqual(["approve"]);
    expect(closestMatches("re", ["approve", "reject", "reinstate"])).toEqual(["reject", "reinstate"]);
    expect(closestMatches("resync", ["status"])).toEqual([]);
    expect(closestMatches("stauts", ["status"])).toEqual(["status"]);
    expect(didYouMean(["a", "b", "c"])).toBe(' Did you mean "a", "b" or "c"?');
    expect(didYouMean([])).toBe("");
  });
});
