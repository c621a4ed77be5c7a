// Writes docs/asyncapi.yaml from the event catalog in libs/events. A test in
// libs/events fails whenever the file and the catalog disagree.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderAsyncApiYaml } from "@voltstack/events";

const target = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "asyncapi.yaml");
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderAsyncApiYaml());
console.log(`wrote ${target}`);
