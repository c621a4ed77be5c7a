import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { loadConfig } from "@voltstack/service-kit";
import { capacityConfigSchema } from "../../services/capacity/src/capacity-config.js";
import { flowConfigSchema } from "../../services/flow/src/flow-config.js";
import { gridConfigSchema } from "../../services/grid/src/grid-config.js";
import { revenueConfigSchema } from "../../services/revenue/src/revenue-config.js";
import { verificationConfigSchema } from "../../services/verification/src/verification-config.js";

// The manifests operators deploy, checked against what the code accepts: every variable
// a Deployment sets is one its service's schema reads (or a telemetry variable), the whole
// environment passes that schema with placeholders for the secrets, probes hit the service
// kit's health routes, and ports agree everywhere they appear.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const k8sDir = join(root, "k8s");

const schemas: Record<string, z.ZodObject> = {
  verification: verificationConfigSchema,
  capacity: capacityConfigSchema,
  flow: flowConfigSchema,
  grid: gridConfigSchema,
  revenue: revenueConfigSchema,
};

// Read by the OpenTelemetry SDK that libs/observability starts, not by the config schemas.
const TELEMETRY_VARIABLES = new Set([
  "OTEL_SERVICE_NAME",
  "OTEL_SDK_DISABLED",
  "OTEL_TRACES_EXPORTER",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
]);

// Stand-ins for what operators put in the Secrets; shaped as the schemas require.
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: "postgresql://voltstack:placeholder@postgres:5432/voltstack",
  STACKS_API_KEY: "placeholder-api-key",
  AUTH_API_KEYS: JSON.stringify([
    {
      name: "placeholder",
      sha256: createHash("sha256").update("placeholder").digest("hex"),
      role: "admin",
      principals: [],
    },
  ]),
};

// An overlay marks the addresses operators fill in as <...-address>; for the schema checks they
// stand for the address of a throwaway key.
const ADDRESS_PLACEHOLDER = /<[a-z0-9-]+-address>/g;
const STAND_IN_ADDRESS = "ST22EHHP2WX228ZJCBTANXT281Y36VPQFT71N5JKA";

// The local devnet's accounts (settings/Devnet.toml): their keys are published with Clarinet.
const DEVNET_ADDRESSES = [
  ...readFileSync(join(root, "settings/Devnet.toml"), "utf8").matchAll(/stx_address:\s*(S[0-9A-Z]+)/g),
].map((match) => match[1]!);

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };
type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
};
type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  command?: string[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  securityContext?: { runAsNonRoot?: boolean };
  initContainers?: Container[];
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>;
};
type Deployment = Manifest & {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
};
type ConfigMap = Manifest & { data?: Record<string, string> };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, "utf8")).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${relative(root, path)}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Manifest | null;
    return value ? [value] : [];
  });
}

/** What a kustomization's resources hold, with the ConfigMaps of its patch files merged over them. */
function render(dir: string): Manifest[] {
  const kustomization = readManifests(join(dir, "kustomization.yaml"))[0] as unknown as {
    resources?: string[];
    patches?: Array<{ path?: string }>;
    configMapGenerator?: Array<{ name: string; files?: string[] }>;
  };
  const manifests = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return existsSync(join(path, "kustomization.yaml")) ? render(path) : readManifests(path);
  });
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = Object.fromEntries(
      (generator.files ?? []).map((file) => {
        const [key, source] = file.includes("=") ? file.split("=", 2) : [posix.basename(file), file];
        return [key!, readFileSync(join(dir, source!), "utf8")];
      }),
    );
    manifests.push({ kind: "ConfigMap", metadata: { name: generator.name }, data } as ConfigMap);
  }
  for (const patch of kustomization.patches ?? []) {
    if (!patch.path) continue;
    for (const change of readManifests(join(dir, patch.path))) {
      const target = manifests.find((m) => m.kind === change.kind && m.metadata.name === change.metadata.name);
      if (!target) throw new Error(`${patch.path} patches ${change.kind} ${change.metadata.name}, which is not there`);
      if (change.kind !== "ConfigMap") throw new Error(`${patch.path}: only ConfigMap patches are checked here`);
      (target as ConfigMap).data = { ...(target as ConfigMap).data, ...(change as ConfigMap).data };
    }
  }
  return manifests;
}

/** The environment a container starts with: envFrom in order, then env (which wins). */
function environmentOf(container: Container, manifests: Manifest[]): Record<string, string> {
  const configMap = (name: string) => {
    const found = manifests.find((m): m is ConfigMap => m.kind === "ConfigMap" && m.metadata.name === name);
    if (!found) throw new Error(`container ${container.name} refers to a ConfigMap ${name} that is not deployed`);
    return found.data ?? {};
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`${container.name}: import secrets key by key, so their names are checked`);
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (configMapKeyRef) env[variable.name] = configMap(configMapKeyRef.name)[configMapKeyRef.key] ?? "";
    if (secretKeyRef) {
      const placeholder = SECRET_PLACEHOLDERS[secretKeyRef.key];
      if (placeholder === undefined) throw new Error(`no placeholder for secret key ${secretKeyRef.key}`);
      env[variable.name] = placeholder;
    }
  }
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, value.replace(ADDRESS_PLACEHOLDER, STAND_IN_ADDRESS)]),
  );
}

/** The routes of the service kit's health controller: `/health/live`, `/health/ready`. */
function healthPaths(): string[] {
  const source = readFileSync(join(root, "libs/service-kit/src/health/health.controller.ts"), "utf8");
  const prefix = /@Controller\("([^"]+)"\)/.exec(source)?.[1];
  const routes = [...source.matchAll(/@Get\("([^"]+)"\)/g)].map((match) => match[1]);
  return routes.map((route) => `/${prefix}/${route}`);
}

function secretsIn(value: unknown): string[] {
  return JSON.stringify(value).match(/"secretName":"[^"]+"|"secretKeyRef":\{[^}]+\}/g) ?? [];
}

const overlays = readdirSync(join(k8sDir, "overlays")).map((name) => join(k8sDir, "overlays", name));
const renderings = [join(k8sDir, "base"), ...overlays].map((dir) => ({ dir, manifests: render(dir) }));

describe("k8s manifests", () => {
  it("parse, and hold no Secret values", () => {
    const manifests = yamlFiles(k8sDir).flatMap(readManifests);
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      expect(manifest.kind, "Secrets are created by operators, never committed").not.toBe("Secret");
    }
  });

  it("run one Deployment, Service and PodDisruptionBudget per service", () => {
    const base = renderings[0]!.manifests;
    for (const kind of ["Deployment", "Service", "PodDisruptionBudget"]) {
      const names = base.filter((m) => m.kind === kind).map((m) => m.metadata.name);
      expect(names.sort(), kind).toEqual(Object.keys(schemas).sort());
    }
  });

  for (const { dir, manifests } of renderings) {
    const deployments = manifests.filter((m): m is Deployment => m.kind === "Deployment");

    describe(relative(root, dir), () => {
      if (dir !== join(k8sDir, "base")) {
        it("names no address of the local devnet, whose keys are public", () => {
          expect(DEVNET_ADDRESSES.length).toBeGreaterThan(5);
          const rendered = JSON.stringify(manifests);
          const files = yamlFiles(dir).map((path) => readFileSync(path, "utf8"));
          for (const address of DEVNET_ADDRESSES) {
            expect(rendered, `${address} in the rendered overlay`).not.toContain(address);
            for (const file of files) expect(file).not.toContain(address);
          }
        });

        it("gives the deployment record to every service as a generated ConfigMap", () => {
          const generated = manifests.filter((m): m is ConfigMap => m.kind === "ConfigMap");
          for (const deployment of deployments) {
            const name = deployment.metadata.name;
            const pod = deployment.spec.template.spec;
            const container = pod.containers.find((c) => c.name === name)!;
            const env = environmentOf(container, manifests);
            // A variable that is set wins over the record: these must come from the record.
            expect(env.CONTRACT_DEPLOYER, name).toBeUndefined();
            expect(env.CHAIN_SYNC_FROM_HEIGHT, name).toBeUndefined();
            const record = env.DEPLOYMENT_RECORD;
            expect(record, name).toBeDefined();
            const mount = container.volumeMounts?.find((m) => m.mountPath === posix.dirname(record!));
            const volume = pod.volumes?.find((v) => v.name === mount?.name);
            expect(volume?.configMap, `${name} mounts ${posix.dirname(record!)} from a ConfigMap`).toBeDefined();
            const configMap = generated.find((m) => m.metadata.name === volume!.configMap!.name);
            expect(configMap?.data?.[posix.basename(record!)], `${name}: the record file`).toBeDefined();
          }
        });
      }

      for (const deployment of deployments) {
        const name = deployment.metadata.name;
        const pod = deployment.spec.template.spec;
        const container = pod.containers.find((c) => c.name === name)!;
        const schema = schemas[name]!;

        describe(name, () => {
          it("sets only variables the service reads, and they pass its schema", () => {
            expect(container, `a container named ${name}`).toBeDefined();
            const env = environmentOf(container, manifests);
            const accepted = new Set(Object.keys(schema.shape));
            const unknown = Object.keys(env).filter((n) => !accepted.has(n) && !TELEMETRY_VARIABLES.has(n));
            expect(unknown).toEqual([]);
            expect(() => loadConfig(schema, env)).not.toThrow();
            expect(env.NODE_ENV).toBe("production");
          });

          it("keeps signer keys in mounted Secrets", () => {
            const env = environmentOf(container, manifests);
            const config = loadConfig(schema, env) as { SIGNER_KEYS: Array<{ privateKeyFile?: string }> };
            const secretVolumes = new Set((pod.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
            const secretMounts = (container.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name));
            expect(config.SIGNER_KEYS.length).toBeGreaterThan(0);
            for (const source of config.SIGNER_KEYS) {
              expect(source.privateKeyFile, "keys come from files, never from variables").toBeDefined();
              const mount = secretMounts.find((m) => posix.dirname(source.privateKeyFile!) === m.mountPath);
              expect(mount, `${source.privateKeyFile} is in a mounted Secret`).toBeDefined();
            }
          });

          it("migrates its schema in an init container before it starts", () => {
            const migrate = pod.initContainers?.find((c) => c.name === "migrate");
            expect(migrate).toBeDefined();
            expect(migrate!.image).toBe(container.image);
            expect(migrate!.command?.at(-1)).toBe(`services/${name}/src/migrate.ts`);
            expect(container.command?.at(-1)).toBe(`services/${name}/src/main.ts`);
            for (const script of [migrate!.command!.at(-1)!, container.command!.at(-1)!]) {
              expect(existsSync(join(root, script)), script).toBe(true);
            }
            const migrateEnv = environmentOf(migrate!, manifests);
            const schemaVariable = `${name.toUpperCase()}_SCHEMA`;
            expect(migrateEnv[schemaVariable]).toBe(environmentOf(container, manifests)[schemaVariable]);
            expect(secretsIn(migrate!.env)).toEqual(secretsIn(container.env?.filter((v) => v.name === "DATABASE_URL")));
          });

          it("probes the service kit's health routes on its port", () => {
            const paths = healthPaths();
            expect(paths).toEqual(expect.arrayContaining(["/health/live", "/health/ready"]));
            const port = Number(environmentOf(container, manifests).PORT);
            const named = container.ports?.find((p) => p.name === "http");
            expect(named?.containerPort).toBe(port);
            expect(container.readinessProbe?.httpGet?.path).toBe("/health/ready");
            expect(container.livenessProbe?.httpGet?.path).toBe("/health/live");
            for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
              if (!probe) continue;
              expect(paths).toContain(probe.httpGet?.path);
              expect([port, "http"]).toContain(probe.httpGet?.port);
            }
          });

          it("is scraped on /metrics at its port and served by its Service", () => {
            const port = Number(environmentOf(container, manifests).PORT);
            const annotations = deployment.spec.template.metadata.annotations ?? {};
            expect(annotations["prometheus.io/scrape"]).toBe("true");
            expect(annotations["prometheus.io/path"]).toBe("/metrics");
            expect(Number(annotations["prometheus.io/port"])).toBe(port);
            const service = manifests.find((m) => m.kind === "Service" && m.metadata.name === name) as
              | (Manifest & {
                  spec: {
                    selector: Record<string, string>;
                    ports: Array<{ port: number; targetPort: string | number }>;
                  };
                })
              | undefined;
            expect(service).toBeDefined();
            expect(deployment.spec.template.metadata.labels).toMatchObject(service!.spec.selector);
            expect(service!.spec.ports).toEqual([expect.objectContaining({ port, targetPort: "http" })]);
          });

          it("runs unprivileged, read-only, with resources bounded, under a disruption budget", () => {
            expect(pod.securityContext?.runAsNonRoot).toBe(true);
            for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
              expect(c.securityContext, c.name).toMatchObject({
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
              });
              expect(Object.keys(c.resources?.requests ?? {}).sort(), c.name).toEqual(["cpu", "memory"]);
              expect(Object.keys(c.resources?.limits ?? {}).sort(), c.name).toEqual(["cpu", "memory"]);
            }
            const budget = manifests.find((m) => m.kind === "PodDisruptionBudget" && m.metadata.name === name) as
              (Manifest & { spec: { selector: { matchLabels: Record<string, string> } } }) | undefined;
            expect(budget?.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
          });
        });
      }
    });
  }
});
