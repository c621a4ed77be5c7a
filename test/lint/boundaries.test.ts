import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The architecture's import rules (eslint/boundaries.js), checked on code placed where the
// rule applies: each forbidden import fails `npm run lint` with the sentence of its rule.
const eslint = new ESLint();

async function boundaryMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId === "voltstack/boundaries").map((m) => m.message);
}

describe("the import boundaries", () => {
  it.each([
    [
      "a service importing another service",
      "services/grid/src/programs/x.ts",
      'import { FlowRepository } from "../../../flow/src/flow/flow-repository.js";',
      "A service never imports another service",
    ],
    [
      "a service importing another service by name",
      "services/grid/src/programs/x.ts",
      'import { AppModule } from "@voltstack/flow";',
      "A service never imports another service",
    ],
    [
      "a library importing a service",
      "libs/chain-sync/src/x.ts",
      'import { AppModule } from "../../../services/grid/src/app.module.js";',
      "A library never imports a service or the CLI",
    ],
    [
      "the event catalog importing one of our packages",
      "libs/events/src/x.ts",
      'import { StacksChain } from "@voltstack/chain";',
      "libs/events imports nothing of ours",
    ],
    [
      "the transport importing the event catalog",
      "libs/messaging/src/x.ts",
      'import { parseEvent } from "@voltstack/events";',
      "libs/messaging knows no subject or payload",
    ],
    [
      "the API contract importing a server library",
      "libs/api/src/x.ts",
      'import { Operation } from "@voltstack/service-kit";',
      "The API contract and the client import only the contract's own packages",
    ],
    [
      "a path into another package",
      "services/grid/src/x.ts",
      'import { StacksChain } from "../../../libs/chain/src/stacks-chain.js";',
      "Import another package by its name",
    ],
    [
      "a deep import past a package's entry points",
      "services/grid/src/x.ts",
      'import { StacksChain } from "@voltstack/chain/src/stacks-chain.js";',
      "Import another package by its name",
    ],
  ])("refuses %s", async (_what, filePath, code, rule) => {
    const messages = await boundaryMessages(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(rule);
  });

  it.each([
    ["a package's own files", "services/grid/src/programs/x.ts", 'import { GridConfig } from "../grid-config.js";'],
    ["a library by name", "services/grid/src/x.ts", 'import { StacksChain } from "@voltstack/chain";'],
    ["an entry point the package declares", "services/grid/src/main.ts", 'import "@voltstack/observability/register";'],
    [
      "a service's module in a whole-system test",
      "test/e2e/x.test.ts",
      'import { AppModule } from "../../services/grid/src/app.module.js";',
    ],
    [
      "the catalog in a library above the transport",
      "libs/chain-sync/src/x.ts",
      'import { parseEvent } from "@voltstack/events";',
    ],
  ])("allows %s", async (_what, filePath, code) => {
    expect(await boundaryMessages(filePath, code)).toEqual([]);
  });
});
