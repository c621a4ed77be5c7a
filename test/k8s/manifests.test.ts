import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { loadConfig } from "@voltstack/service-kit";
import { capacityConfigSchema } from "../../services/capacity/src/capacity-config.js";
import { flowConfigSchema } from "../../services/flow/src/flow-config.js";
import { gridConfigSchema } from "../../services/grid/src/grid-config.js";
import { revenueConfigSchema } from "../../services/revenue/src/revenue-config.js";
import { verificationConfigSchema } from "../../services/verification/src/verification-config.js";
import { k8sDir, kustomizationDirs, type Manifest, render, root } from "./render.js";

// The manifests operators deploy, checked against what the code accepts: every variable
// a Deployment sets is one its service's schema reads (or a telemetry variable), the whole
// environment passes that schema with placeholders for the secrets, probes hit the service
// kit's health routes, and ports agree everywhere they appear.

const schemas: Record<string, z.ZodObject> = {
  verification: verificationConfigSchema,
  capacity: capacityConfigSchema,
  flow: flowConfigSchema,
  grid: gridConfigSchema,
  revenue: revenueConfigSchema,
};

// Read by libs/observability (the service's identity) and the OpenTelemetry SDK it starts, not by the config schemas.
const TELEMETRY_VARIABLES = new Set([
  "SERVICE_VERSION",
  "DEPLOYMENT_ENVIRONMENT",
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

// Stand-ins for what operators (or the CloudNativePG operator: `uri`) put in the Secrets; shaped as the schemas require.
const SECRET_PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: "postgresql://voltstack:placeholder@postgres:5432/voltstack",
  uri: "postgresql://voltstack:placeholder@voltstack-db-rw:5432/voltstack",
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
const devnetToml = readFileSync(join(root, "settings/Devnet.toml"), "utf8");
const DEVNET_ADDRESSES = [...devnetToml.matchAll(/stx_address:\s*(S[0-9A-Z]+)/g)].map((match) => match[1]!);
const DEVNET_KEYS = new Set([...devnetToml.matchAll(/secret_key:\s*([0-9a-f]+)/g)].map((match) => match[1]!));
const DEV_OVERLAY = join(k8sDir, "overlays", "dev");

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
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  initContainers?: Container[];
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>;
};
type Deployment = Manifest & {
  spec: {
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
};
type ConfigMap = Manifest & { data?: Record<string, string> };
type Secret = Manifest & { data?: Record<string, string> };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
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
      const secret = manifests.find((m): m is Secret => m.kind === "Secret" && m.metadata.name === secretKeyRef.name);
      const committed = secret?.data?.[secretKeyRef.key];
      const value =
        committed !== undefined ? Buffer.from(committed, "base64").toString() : SECRET_PLACEHOLDERS[secretKeyRef.key];
      if (value === undefined) throw new Error(`no placeholder for secret key ${secretKeyRef.key}`);
      env[variable.name] = value;
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
  return JSON.stringify(value ?? []).match(/"secretName":"[^"]+"|"secretKeyRef":\{[^}]+\}/g) ?? [];
}

/** The compiled entry point the image runs, and the TypeScript source it is built from. */
function sourceOf(script: string): string {
  return script.replace("/dist/", "/src/").replace(/\.js$/, ".ts");
}

const renderings = kustomizationDirs().map(render);
const serviceRenderings = renderings.filter((r) =>
  r.manifests.some((m) => m.kind === "Deployment" && m.metadata.name in schemas),
);

describe("k8s manifests", () => {
  it("commit no Secret but the dev overlay's, which holds only the devnet's published keys", () => {
    for (const path of yamlFiles(k8sDir)) {
      for (const document of parseAllDocuments(readFileSync(path, "utf8"))) {
        expect((document.toJS() as Manifest | null)?.kind, `${path}: Secrets are created by operators`).not.toBe(
          "Secret",
        );
      }
    }
    for (const { name, dir, manifests } of renderings) {
      for (const secret of manifests.filter((m): m is Secret => m.kind === "Secret")) {
        expect(dir, `${name} generates ${secret.metadata.name}`).toBe(DEV_OVERLAY);
        for (const [key, encoded] of Object.entries(secret.data ?? {})) {
          const value = Buffer.from(encoded, "base64").toString();
          if (key === "AUTH_API_KEYS") {
            // Hashes only: the dev overlay's key is the documented voltstack-dev-admin.
            const entries = JSON.parse(value) as Array<Record<string, unknown>>;
            for (const entry of entries) {
              expect(Object.keys(entry).sort(), "API keys are kept as SHA-256 hashes").toEqual([
                "name",
                "principals",
                "role",
                "sha256",
              ]);
              expect(entry.sha256).toBe(createHash("sha256").update("voltstack-dev-admin").digest("hex"));
            }
            continue;
          }
          expect(DEVNET_KEYS.has(value), `${secret.metadata.name}/${key} is a key settings/Devnet.toml publishes`).toBe(
            true,
          );
        }
      }
    }
  });

  it("run one Deployment, Service and PodDisruptionBudget per service", () => {
    const base = renderings[0]!.manifests;
    for (const kind of ["Deployment", "Service", "PodDisruptionBudget"]) {
      const names = base.filter((m) => m.kind === kind).map((m) => m.metadata.name);
      expect(names.sort(), kind).toEqual(Object.keys(schemas).sort());
    }
  });

  for (const { name: renderingName, dir, manifests } of serviceRenderings) {
    const deployments = manifests.filter((m): m is Deployment => m.kind === "Deployment" && m.metadata.name in schemas);
    const isOverlay = dir !== join(k8sDir, "base");

    describe(renderingName, () => {
      if (isOverlay && dir !== DEV_OVERLAY) {
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
            const configMap = manifests.find(
              (m): m is ConfigMap => m.kind === "ConfigMap" && m.metadata.name === volume!.configMap!.name,
            );
            expect(configMap?.data?.[posix.basename(record!)], `${name}: the record file`).toBeDefined();
          }
        });
      }

      if (dir === DEV_OVERLAY) {
        it("follows the devnet deployed at its genesis, with no deployment record", () => {
          const deployer = /\[accounts\.deployer\][\s\S]*?stx_address:\s*(S[0-9A-Z]+)/.exec(devnetToml)![1];
          for (const deployment of deployments) {
            const name = deployment.metadata.name;
            const env = environmentOf(
              deployment.spec.template.spec.containers.find((c) => c.name === name)!,
              manifests,
            );
            expect(env, name).toMatchObject({ STACKS_NETWORK: "devnet", CONTRACT_DEPLOYER: deployer });
            expect(env.DEPLOYMENT_RECORD, name).toBeUndefined();
            expect(deployment.spec, name).toMatchObject({ replicas: 1 });
          }
          const devnet = manifests.find((m) => m.kind === "Service" && m.metadata.name === "devnet") as
            (Manifest & { spec: { ports: Array<{ port: number }> } }) | undefined;
          const apiUrl = new URL(
            environmentOf(deployments[0]!.spec.template.spec.containers[0]!, manifests).STACKS_API_URL!,
          );
          expect(apiUrl.hostname).toBe("devnet");
          expect(devnet?.spec.ports.map((p) => p.port)).toContain(Number(apiUrl.port));
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
            expect(env.OTEL_SERVICE_NAME).toBe(`voltstack-${name}`);
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
              const volume = pod.volumes!.find((v) => v.name === mount!.name)!;
              const secret = manifests.find(
                (m): m is Secret => m.kind === "Secret" && m.metadata.name === volume.secret!.secretName,
              );
              // A committed (dev) Secret must hold the file; an operator's is documented in k8s/README.md.
              if (secret) expect(Object.keys(secret.data ?? {})).toContain(posix.basename(source.privateKeyFile!));
            }
          });

          it("migrates its schema in an init container before it starts, from the compiled sources", () => {
            const migrate = pod.initContainers?.find((c) => c.name === "migrate");
            expect(migrate).toBeDefined();
            expect(migrate!.image).toBe(container.image);
            expect(migrate!.command).toEqual(["node", `services/${name}/dist/migrate.js`]);
            expect(container.command).toEqual(["node", `services/${name}/dist/main.js`]);
            for (const script of [migrate!.command!.at(-1)!, container.command!.at(-1)!]) {
              expect(existsSync(join(root, sourceOf(script))), sourceOf(script)).toBe(true);
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
        });
      }
    });
  }
});
