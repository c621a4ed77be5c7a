// The architecture's import rules, checked on every import, export-from and dynamic import
// with a literal path. Each message states the rule it enforces.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const SERVICES = readdirSync(resolve(ROOT, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The workspace package a repository path belongs to: "libs/chain", "services/grid", "cli", ... */
function packageOf(path) {
  const [top, name] = relative(ROOT, path).split(sep);
  if (top === "libs" || top === "services" || top === "examples") return name ? `${top}/${name}` : undefined;
  if (top === "cli" || top === "test" || top === "scripts" || top === "contracts") return top;
  return undefined;
}

/** Whether a package's package.json declares `./<subpath>` among its entry points. */
function declaresEntry(folder, subpath) {
  const manifest = resolve(ROOT, folder, "package.json");
  if (!existsSync(manifest)) return false;
  const { exports = {} } = JSON.parse(readFileSync(manifest, "utf8"));
  return typeof exports === "object" && `.${subpath}` in exports;
}

/** What an import names: another package by name, or a path in this repository. */
function targetOf(file, specifier) {
  const named = /^@voltstack\/([a-z-]+)(\/.*)?$/.exec(specifier);
  if (named) {
    const [, name, subpath] = named;
    const folder = SERVICES.includes(name) ? `services/${name}` : name === "cli" ? "cli" : `libs/${name}`;
    return { pkg: folder, deep: subpath !== undefined && !declaresEntry(folder, subpath), byName: true };
  }
  if (specifier.startsWith("."))
    return { pkg: packageOf(resolve(dirname(file), specifier)), deep: true, byName: false };
  return undefined;
}

const RULES = [
  {
    id: "services-are-independent",
    applies: (from, to) => from.startsWith("services/") && to.startsWith("services/") && from !== to,
    message: "A service never imports another service: services meet only through the chain and NATS events.",
  },
  {
    id: "libraries-below-services",
    applies: (from, to) => from.startsWith("libs/") && (to.startsWith("services/") || to === "cli"),
    message: "A library never imports a service or the CLI: shared code lives below them.",
  },
  {
    id: "events-stand-alone",
    applies: (from, to, file) => from === "libs/events" && isSource(file) && to !== undefined && to !== from,
    message:
      "libs/events imports nothing of ours: the event catalog is the contract with the outside world and must stand alone.",
  },
  {
    id: "messaging-knows-no-payload",
    applies: (from, to, file) => from === "libs/messaging" && isSource(file) && to === "libs/events",
    message:
      "libs/messaging knows no subject or payload: it moves envelopes; the catalog's subjects and schemas belong to the callers.",
  },
  {
    id: "api-contract-without-server",
    applies: (from, to) =>
      (from === "libs/api" || from === "libs/client") &&
      to !== undefined &&
      !["libs/api", "libs/client", "libs/settlement", "libs/events"].includes(to),
    message:
      "The API contract and the client import only the contract's own packages (api, events, settlement): integrators use them without a server.",
  },
];

/** A package's shipped code, as opposed to its tests and benchmarks (which may check it against others). */
function isSource(file) {
  return relative(ROOT, file).split(sep)[2] === "src";
}

const INTERNALS_MESSAGE =
  "Import another package by its name (@voltstack/<name>), never a path into it: its index.ts is its public surface.";
// The whole-system tests and the repository's scripts boot the services' modules in-process,
// read their documents and the CLI's usage, and share experiments.
const TOOLING = new Set(["test", "scripts"]);
const OPENED_BY_TOOLING = /^(services\/|cli$|test$)/;

export const boundaries = {
  meta: {
    type: "problem",
    docs: { description: "The repository's architecture: which package may import which, and only by name." },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = packageOf(file);
    if (!from) return {};
    function check(node, specifier) {
      if (typeof specifier !== "string") return;
      const target = targetOf(file, specifier);
      if (!target || target.pkg === undefined) return;
      for (const rule of RULES) {
        if (rule.applies(from, target.pkg, file)) {
          context.report({ node, message: `${rule.message} (${from} → ${target.pkg}, rule ${rule.id})` });
          return;
        }
      }
      const intoAnother = target.pkg !== from && (!target.byName || target.deep);
      if (intoAnother && !(TOOLING.has(from) && OPENED_BY_TOOLING.test(target.pkg))) {
        context.report({ node, message: `${INTERNALS_MESSAGE} (${from} → ${specifier}, rule no-reaching-in)` });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};

export const boundariesPlugin = { rules: { boundaries } };
