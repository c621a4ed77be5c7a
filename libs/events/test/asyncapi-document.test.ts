import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Parser } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { deadLetterSubject, eventTypes, parseEvent, renderAsyncApiYaml, type EventType } from "@voltstack/events";

const documentPath = fileURLToPath(new URL("../../../docs/asyncapi.yaml", import.meta.url));

// Severity 0 is an error, 1 a warning; 2 and 3 are hints such as "AsyncAPI 3.1 exists".
const ERROR_OR_WARNING = 1;

describe("docs/asyncapi.yaml", () => {
  const generated = renderAsyncApiYaml();

  it("is exactly what the catalog generates", () => {
    const committed = readFileSync(documentPath, "utf8");
    expect(
      committed === generated,
      "docs/asyncapi.yaml differs from the event catalog: run `npm run asyncapi` and commit the result",
    ).toBe(true);
  });

  it("is a valid AsyncAPI 3.0 document according to the official parser", async () => {
    const { document, diagnostics } = await new Parser().parse(generated);
    const problems = diagnostics.filter((diagnostic) => diagnostic.severity <= ERROR_OR_WARNING);
    expect(problems.map((problem) => `${problem.code}: ${problem.message} at ${problem.path.join(".")}`)).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    const addresses = document
      ?.channels()
      .all()
      .map((channel) => channel.address());
    expect(addresses).toEqual([...eventTypes, deadLetterSubject("{subject}")]);
    const operations = document?.operations().all() ?? [];
    expect(operations).toHaveLength(eventTypes.length + 1);
    expect(operations.every((operation) => operation.action() === "receive")).toBe(true);
    expect(
      document
        ?.servers()
        .all()
        .map((server) => server.protocol()),
    ).toEqual(["nats"]);
  });

  it("shows for every subject an example event that the catalog accepts", () => {
    const document = parse(generated) as {
      components: { messages: Record<string, { name: string; examples?: { payload: unknown }[] }> };
    };
    const examples = Object.values(document.components.messages).filter((message) => message.examples);
    expect(examples.map((message) => message.name).sort()).toEqual([...eventTypes].sort());
    for (const message of examples) {
      const event = parseEvent(message.name as EventType, message.examples?.[0]?.payload);
      expect(event.type).toBe(message.name);
    }
  });
});
