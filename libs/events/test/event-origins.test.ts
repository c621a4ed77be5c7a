import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventCatalog } from "../src/index.js";

// The catalog is filed by who decides an event: a contract's print restated, a service's own
// conclusion, or an input from outside. An event filed in the wrong place misleads the reader
// about what backs it, so each folder holds only events of its own origin.
const FOLDERS = { "contract-derived": "chain", "service-decided": "service", "external-inputs": "external" } as const;

type Definitions = Record<string, { origin: { kind: string } }>;

async function eventsIn(folder: string): Promise<Definitions> {
  const dir = fileURLToPath(new URL(`../src/${folder}/`, import.meta.url));
  const events: Definitions = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith("-events.ts") || name === "external-inputs.ts")) {
    const module = (await import(`${dir}${file}`)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value !== "object" || value === null) continue;
      for (const [type, definition] of Object.entries(value)) {
        if (typeof definition === "object" && definition !== null && "origin" in definition) {
          events[type] = definition as Definitions[string];
        }
      }
    }
  }
  return events;
}

describe("the catalog's folders", () => {
  it.each(Object.entries(FOLDERS))("%s holds only events whose origin is %s", async (folder, kind) => {
    const events = await eventsIn(folder);
    expect(Object.keys(events).length).toBeGreaterThan(0);
    for (const [type, definition] of Object.entries(events)) expect(definition.origin.kind, type).toBe(kind);
  });

  it("files every event of the catalog in exactly one of them", async () => {
    const filed = await Promise.all(Object.keys(FOLDERS).map(eventsIn));
    const types = filed.flatMap((events) => Object.keys(events));
    expect(types.sort()).toEqual(Object.keys(eventCatalog).sort());
  });
});
