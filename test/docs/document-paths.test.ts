import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The Markdown files name the repository's files in backticks and code blocks; when the code
// moves, those names go stale silently. This fails on every one that no longer exists.
const root = fileURLToPath(new URL("../../", import.meta.url));

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "node_modules" && entry.name !== ".git")
    .map((entry) => entry.name);
}

function documentsIn(dir: string, oneLevelDown = false): string[] {
  const folders = oneLevelDown ? subfolders(join(root, dir)).map((name) => `${dir}/${name}`) : [dir];
  return folders.map((folder) => `${folder}/README.md`).filter((path) => existsSync(join(root, path)));
}

const documents = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
  ...documentsIn("services"),
  ...documentsIn("services", true),
  ...documentsIn("libs", true),
  ...documentsIn("cli"),
  ...documentsIn("k8s"),
  ...documentsIn("examples", true),
];

// A token is taken for a path only when its first folder is one a path can start with there: a
// top folder of the repository, a folder of the document's package (`src/`, `prisma/`, `test/`)
// or a folder beside the document (k8s/README.md's `base/`). Anything else with a slash (routes,
// package names, NATS subjects, URLs, image names, another package's `prisma/` in a library's
// example) is not a path of this repository.
const TOP_FOLDERS = subfolders(root).filter((name) => name !== ".cache");

// Words that look like paths of this repository and are not, or not yet.
const NOT_REPOSITORY_PATHS = new Set([
  "nats/nats", // the NATS Helm chart (k8s/README.md)
  "deployments/testnet.json", // written by `voltstack deploy --network testnet`, then committed (README.md)
]);

// A placeholder (`services/<name>/`, a glob, `$SERVICE`, `...`) names no one path.
const PLACEHOLDER = /[<>*{}$…|[\]]|\.\.\./;

/** The text in backticks and in fenced code blocks, in the order it appears. */
function codeIn(markdown: string): string[] {
  const code: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fence !== undefined) {
      if (marker !== undefined && marker.startsWith(fence)) fence = undefined;
      else code.push(line);
    } else if (marker !== undefined) {
      fence = marker;
    } else {
      for (const span of line.matchAll(/(`+)(.+?)\1/g)) code.push(span[2]!);
    }
  }
  return code;
}

/** The path-looking words of a piece of code, stripped of the punctuation around them. */
function pathsIn(code: string, headFolders: Set<string>): string[] {
  return code
    .split(/[\s,;()"'`=]+/)
    .map((word) =>
      word
        .replace(/^\.\//, "")
        .replace(/(:\d+)+$/, "")
        .replace(/[.:]+$/, ""),
    )
    .filter((word) => word.includes("/") && !word.includes("//") && !PLACEHOLDER.test(word))
    .filter((word) => headFolders.has(word.slice(0, word.indexOf("/"))));
}

/** The folder of the nearest package.json above a document, relative to the root. */
function packageOf(document: string): string {
  let folder = dirname(document);
  while (folder !== "." && !existsSync(join(root, folder, "package.json"))) folder = dirname(folder);
  return folder;
}

/** Of these paths, the ones git ignores: build outputs and generated code, never in the tree. */
function ignoredByGit(paths: string[]): Set<string> {
  const check = spawnSync("git", ["check-ignore", "--no-index", "--stdin"], { cwd: root, input: paths.join("\n") });
  // 0: some are ignored, 1: none is; anything else is git failing, which must not pass for "none".
  if (check.status !== 0 && check.status !== 1) throw new Error(`git check-ignore failed: ${check.stderr}`);
  return new Set(check.stdout.toString().split("\n").filter(Boolean));
}

/** The paths a document names that exist neither beside it, nor in its package, nor at the root. */
function stalePathsOf(document: string): string[] {
  const folder = dirname(document);
  const bases = [...new Set([folder, packageOf(document), "."])];
  const headFolders = new Set(bases.flatMap((base) => (base === "." ? TOP_FOLDERS : subfolders(join(root, base)))));
  const named = codeIn(readFileSync(join(root, document), "utf8"))
    .flatMap((code) => pathsIn(code, headFolders))
    .filter((path) => !NOT_REPOSITORY_PATHS.has(path));
  const missing = [...new Set(named)].filter((path) => !bases.some((base) => existsSync(join(root, base, path))));
  const ignored = missing.length > 0 ? ignoredByGit(missing) : new Set<string>();
  return missing.filter((path) => !ignored.has(path)).map((path) => `${document}: ${path}`);
}

/** The relative link targets of a document that do not exist beside it. */
function brokenLinksOf(document: string): string[] {
  const markdown = readFileSync(join(root, document), "utf8");
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!.replace(/#.*$/, ""))
    .filter((target) => target !== "" && !/^[a-z]+:/.test(target))
    .filter((target) => !existsSync(join(root, dirname(document), target)))
    .map((target) => `${document}: ${target}`);
}

describe("the paths the documentation names", () => {
  it("reads the documents it is meant to", () => {
    expect(documents).toContain("README.md");
    expect(documents).toContain("services/grid/README.md");
    expect(documents).toContain("libs/chain-sync/README.md");
    expect(documents).toContain("k8s/README.md");
  });

  it("takes for a path only what names one", () => {
    const heads = new Set([...TOP_FOLDERS, "src"]);
    expect(
      pathsIn(
        "npx vitest run --config=contracts/vitest.config.ts ./src/chain/grid-chain-writer.ts:12 libs/events/src/catalog.ts.",
        heads,
      ),
    ).toEqual(["contracts/vitest.config.ts", "src/chain/grid-chain-writer.ts", "libs/events/src/catalog.ts"]);
    expect(
      pathsIn(
        "services/<name>/src libs/*/README.md k8s/base/$SERVICE.yaml GET /dead-letters @voltstack/chain/testing https://example.org/src/x nats:2.10-alpine application/json",
        heads,
      ),
    ).toEqual([]);
  });

  it.each(documents)("%s names only files and folders that exist", (document) => {
    expect(stalePathsOf(document)).toEqual([]);
  });

  it.each(documents)("%s links only to files that exist", (document) => {
    expect(brokenLinksOf(document)).toEqual([]);
  });
});
