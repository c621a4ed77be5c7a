import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// services/README.md describes what a service consists of and how to add one; this keeps it true.
const root = fileURLToPath(new URL("../../", import.meta.url));
const services = readdirSync(join(root, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const readme = readFileSync(join(root, "services/README.md"), "utf8");

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "generated" || name === "node_modules" || name === "dist") return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A service's source files, relative to its src/. */
function sourcesOf(service: string): string[] {
  const src = join(root, "services", service, "src");
  return filesUnder(src).map((path) => relative(src, path));
}

/** Where each role may live, by what the file declares. */
const ROLE_PLACES: { role: string; declares: RegExp; place: (service: string, file: string) => boolean }[] = [
  {
    role: "the follower (chainSyncServiceFor)",
    declares: /extends chainSyncServiceFor</,
    place: (service, file) => file === `chain-sync/${service}-sync.service.ts`,
  },
  {
    role: "a chain writer (chainWriterFor)",
    declares: /extends chainWriterFor\(/,
    place: (_service, file) => /^chain\/[a-z-]+-chain-writer\.ts$/.test(file),
  },
  {
    role: "an event consumer (@EventPattern)",
    declares: /@EventPattern/,
    place: (_service, file) => /^[a-z-]+\/[a-z-]+\.consumer\.ts$/.test(file),
  },
  {
    role: "a use case",
    declares: /export class \w+UseCase\b/,
    place: (_service, file) => /^[a-z-]+\/usecases\/[a-z-]+\.usecase\.ts$/.test(file),
  },
  {
    role: "HTTP routes (@Controller with a route)",
    declares: /@Controller\(\s*"[^"]*"|@(Get|Post|Put|Patch|Delete)\(/,
    place: (_service, file) => /^[a-z-]+\/[a-z-]+\.controller\.ts$/.test(file),
  },
];

/** Where a file's name says a role: the name must be in the role's place. */
const NAMED_PLACES: { suffix: RegExp; place: RegExp }[] = [
  { suffix: /-projection\.ts$/, place: /^chain-sync\// },
  { suffix: /-chain-writer\.ts$/, place: /^chain\// },
  { suffix: /chain-write-errors\.ts$/, place: /^chain\// },
  { suffix: /\.sync\.service\.ts$|-sync\.service\.ts$/, place: /^chain-sync\// },
  { suffix: /\.consumer\.ts$/, place: /^(?!chain\/|chain-sync\/)[a-z-]+\/[^/]+$/ },
  { suffix: /\.controller\.ts$/, place: /^(?!chain\/|chain-sync\/)[a-z-]+\/[^/]+$/ },
  { suffix: /-repository\.ts$/, place: /^(?!chain\/|chain-sync\/)[a-z-]+\/[^/]+$/ },
  { suffix: /\.usecase\.ts$/, place: /^[a-z-]+\/usecases\// },
];

describe.each(services)("the %s service's skeleton", (service) => {
  const sources = sourcesOf(service);

  it("has the files every service has, under their names", () => {
    const required = [
      "main.ts",
      "migrate.ts",
      "app.module.ts",
      `${service}-config.ts`,
      `${service}-service.ts`,
      `chain-sync/${service}-sync.service.ts`,
      `chain/${service}-chain-writer.ts`,
      "chain/chain-write-errors.ts",
    ];
    expect(required.filter((file) => !sources.includes(file))).toEqual([]);
    expect(sources.some((file) => /^chain-sync\/[a-z-]+-projection\.ts$/.test(file))).toBe(true);
    for (const path of ["prisma/schema.prisma", "prisma/migrations", "README.md", "package.json"]) {
      expect(existsSync(join(root, "services", service, path)), path).toBe(true);
    }
    expect(existsSync(join(root, "libs/api/src", service)), `libs/api/src/${service}`).toBe(true);
  });

  it("gets the plumbing from one forRoot call, with no folder or token of its own for it", () => {
    const module = readFileSync(join(root, "services", service, "src/app.module.ts"), "utf8");
    expect(module.match(/ServiceInfrastructureModule\.forRoot\(/g)).toHaveLength(1);
    expect(module).toMatch(/follower: \w+SyncService/);
    const plumbing = sources.filter((file) => /^(dead-letters|transactions|infrastructure|chain-writes)\//.test(file));
    expect(plumbing).toEqual([]);
    expect(sources.filter((file) => /tokens\.ts$|read-model\.ts$|events\.controller\.ts$/.test(file))).toEqual([]);
  });

  it("puts each role in its one place", () => {
    const misplaced: string[] = [];
    for (const file of sources) {
      const text = readFileSync(join(root, "services", service, "src", file), "utf8");
      for (const { role, declares, place } of ROLE_PLACES) {
        if (declares.test(text) && !place(service, file)) misplaced.push(`${file} declares ${role}`);
      }
      for (const { suffix, place } of NAMED_PLACES) {
        if (suffix.test(file) && !place.test(file)) misplaced.push(`${file} is named for a role it may not have there`);
      }
    }
    expect(misplaced).toEqual([]);
  });
});

describe("services/README.md's checklist for a new service", () => {
  const section = readme.slice(readme.indexOf("**The places that list every service**"), readme.indexOf("**Run**"));
  const places = section.split("\n").flatMap((line) => {
    const paths = [...line.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!);
    // "`k8s/overlays/production/kustomization.yaml`, `config-patch.yaml`": later names share the first's folder.
    const folder = paths[0]?.slice(0, paths[0].lastIndexOf("/") + 1) ?? "";
    return paths
      .filter((path) => /\.(ts|js|yaml)$/.test(path) && !path.includes("<"))
      .map((path) => (path.includes("/") ? path : folder + path));
  });

  it("lists places that exist and name every service", () => {
    expect(places.length).toBeGreaterThan(15);
    const wrong = places.flatMap((path) => {
      if (!existsSync(join(root, path))) return [`${path} does not exist`];
      const text = readFileSync(join(root, path), "utf8");
      return services.filter((service) => !text.includes(service)).map((service) => `${path} does not name ${service}`);
    });
    expect(wrong).toEqual([]);
  });

  it("misses no file of the code or the manifests that names every service", () => {
    const candidates = ["k8s", "cli/src", "eslint", ...readdirSync(join(root, "libs")).map((lib) => `libs/${lib}/src`)]
      .flatMap((dir) => filesUnder(join(root, dir)))
      .map((path) => relative(root, path))
      .filter((path) => !path.endsWith(".md"));
    const naming = candidates.filter((path) => {
      const text = readFileSync(join(root, path), "utf8");
      return services.every((service) => new RegExp(`\\b${service}\\b`).test(text));
    });
    expect(naming.filter((path) => !places.includes(path))).toEqual([]);
  });
});
