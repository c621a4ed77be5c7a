import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { eventStreams, eventTypes } from "@voltstack/events";
import { durableName, SubjectNaming, subjectMatches } from "@voltstack/messaging";
import { DEPLOY_USAGE } from "../../cli/src/deploy/deploy-usage.js";
import { isBuiltIn, schemaErrors, unknownFields } from "./kubernetes-schemas.js";
import { k8sDir, kustomizationDirs, type Manifest, objectName, render, root } from "./render.js";

// What a cluster would accept is not all we ask of the manifests: every built-in object passes
// the Kubernetes API's schema with no unknown field, and every object keeps the rules below.
// Each failure names the kustomization, the object and the rule it breaks.

const SERVICES = ["verification", "capacity", "flow", "grid", "revenue"] as const;
/**
 * Services that must never be scaled on consumer lag: their extra replicas stand by for the
 * signing leases and add no throughput (components/autoscaling/kustomization.yaml says why).
 */
const NOT_AUTOSCALED = new Set(["verification", "revenue"]);
const IMAGE_REPOSITORY = "ghcr.io/voltstack/voltstack";
const IMAGE_TAG = "0.1.0";
const DNS_PORT = 53;
const POSTGRES_PORT = 5432;
// What the CloudNativePG operator puts in the Secret <cluster>-app.
const CNPG_APP_SECRET_KEYS = ["username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"];

type Probe = { httpGet?: { port: string | number }; tcpSocket?: { port: string | number } };
type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type Volume = {
  name: string;
  emptyDir?: object;
  hostPath?: object;
  secret?: { secretName: string };
  configMap?: { name: string };
};
type PodSpec = {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
};
type Workload = Manifest & {
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};
type Selector = { matchLabels?: Record<string, string> };
type NetworkPolicyPeer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string } };
type NetworkPolicyPort = { port?: number | string; protocol?: string };
type NetworkPolicy = Manifest & {
  spec: {
    podSelector: Selector;
    policyTypes?: string[];
    ingress?: Array<{ from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
    egress?: Array<{ to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
  };
};
type ConfigMap = Manifest & { data?: Record<string, string> };
type Secret = Manifest & { data?: Record<string, string> };

const renderings = kustomizationDirs().map(render);

function ofKind<T extends Manifest>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m): m is T => m.kind === kind);
}

function workloads(manifests: Manifest[]): Workload[] {
  return manifests.filter((m): m is Workload => m.kind === "Deployment" || m.kind === "Job");
}

function containersOf(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** Bytes or millicores of a Kubernetes quantity (enough of the grammar for requests and limits). */
function quantity(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(value);
  if (!match) return Number.NaN;
  const factors: Record<string, number> = {
    m: 1e-3,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return Number(match[1]) * (match[2] ? factors[match[2]]! : 1);
}

/** The environment of a container from its ConfigMaps and literal values (secrets left out). */
function plainEnvironment(container: Container, manifests: Manifest[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = ofKind<ConfigMap>(manifests, "ConfigMap").find(
      (m) => m.metadata.name === source.configMapRef?.name,
    );
    Object.assign(env, configMap?.data ?? {});
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

function urlPort(url: string): number {
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return { "https:": 443, "http:": 80, "nats:": 4222, "postgresql:": POSTGRES_PORT }[parsed.protocol] ?? Number.NaN;
}

/** Each `| \`secret-name\` | \`KEY\`, ... |` row of k8s/README.md: the Secrets operators (or their operators) create. */
function documentedSecrets(): Array<{ name: RegExp; keys: Set<string> }> {
  const readme = readFileSync(join(k8sDir, "README.md"), "utf8");
  return [...readme.matchAll(/^\| `([a-z0-9<>-]+)`\s*\|([^|]*)\|/gm)].map(([, name, keys]) => ({
    name: new RegExp(`^${name!.replace("<service>", `(${SERVICES.join("|")})`)}$`),
    keys: new Set([...keys!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!)),
  }));
}

/** The logical subjects each service consumes, from its handlers' @EventPattern and its own durables. */
function consumedSubjects(service: string): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? entry.name === "generated"
          ? []
          : files(join(dir, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(dir, entry.name)]
          : [],
    );
  return files(join(root, "services", service, "src")).flatMap((file) => {
    const source = readFileSync(file, "utf8");
    const patterns = [...source.matchAll(/@EventPattern(?:<string>)?\("([^"]+)"/g)].map((match) => match[1]!);
    const durables = [...source.matchAll(/durableName\("[a-z]+", (\w+)\)/g)].map(
      ([, constant]) => new RegExp(`const ${constant} = "([^"]+)"`).exec(source)?.[1] ?? `<${constant}>`,
    );
    return [...patterns, ...durables];
  });
}

/** String literals of the libraries and services that look like metric names (a_b_c). */
function metricNamesInCode(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "generated", "dist", "test"].includes(entry.name)) visit(path);
      } else if (entry.name.endsWith(".ts")) {
        for (const [, name] of readFileSync(path, "utf8").matchAll(/"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)"/g))
          names.add(name!);
      }
    }
  };
  visit(join(root, "libs"));
  visit(join(root, "services"));
  return names;
}

// The settings KEDA's nats-jetstream scaler reads (keda.sh/docs/scalers/nats-jetstream); a misspelt one is ignored by KEDA.
const NATS_JETSTREAM_METADATA = new Set([
  "natsServerMonitoringEndpoint",
  "account",
  "stream",
  "consumer",
  "lagThreshold",
  "activationLagThreshold",
  "useHttps",
]);
// The fields of a KEDA ScaledObject's spec (keda.sh/v1alpha1).
const SCALED_OBJECT_FIELDS = new Set([
  "scaleTargetRef",
  "minReplicaCount",
  "maxReplicaCount",
  "idleReplicaCount",
  "pollingInterval",
  "cooldownPeriod",
  "initialCooldownPeriod",
  "fallback",
  "advanced",
  "triggers",
]);
// The fields of a ServiceMonitor's spec used with one Service (monitoring.coreos.com/v1).
const SERVICE_MONITOR_FIELDS = new Set([
  "selector",
  "endpoints",
  "namespaceSelector",
  "jobLabel",
  "targetLabels",
  "podTargetLabels",
  "sampleLimit",
]);

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
]);

/** The metric names a PromQL expression reads, histogram series by their metric's name. */
function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter(([, word, call]) => !call && !PROMQL_WORDS.has(word!))
    .map(([, word]) => word!.replace(/_(bucket|count|sum)$/, ""));
}

describe("k8s rules", () => {
  it("render every overlay", () => {
    const names = renderings.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "k8s/base",
        "k8s/contract-deployment",
        "k8s/overlays/dev",
        "k8s/overlays/production",
        "k8s/overlays/production/contract-deployment",
      ]),
    );
  });

  for (const { name: rendering, manifests } of renderings) {
    const violations = (rule: string, found: Array<[Manifest, string]>) =>
      found.map(([manifest, detail]) => `${rendering} ${objectName(manifest)}: ${rule}: ${detail}`);

    describe(rendering, () => {
      it("every built-in object passes the Kubernetes API schema, with no unknown field", () => {
        const found: Array<[Manifest, string]> = [];
        for (const manifest of manifests.filter(isBuiltIn)) {
          for (const error of schemaErrors(manifest)) found.push([manifest, error]);
          for (const path of unknownFields(manifest))
            found.push([manifest, `${path} is not a field of ${manifest.kind}`]);
        }
        const custom = new Set(["ScaledObject", "ServiceMonitor", "Cluster"]);
        for (const manifest of manifests.filter((m) => !isBuiltIn(m) && !custom.has(m.kind))) {
          found.push([manifest, `${manifest.apiVersion} ${manifest.kind} has no rules here`]);
        }
        expect(violations("API schema", found)).toEqual([]);
      });

      it("runs every pod under the restricted security context, with its own ServiceAccount and no token", () => {
        const found: Array<[Manifest, string]> = [];
        for (const workload of workloads(manifests)) {
          const pod = workload.spec.template.spec;
          if (pod.securityContext?.runAsNonRoot !== true)
            found.push([workload, "runAsNonRoot is not true for the pod"]);
          if (pod.hostNetwork || pod.hostPID || pod.hostIPC) found.push([workload, "shares a host namespace"]);
          if (pod.automountServiceAccountToken !== false) found.push([workload, "mounts a service-account token"]);
          const account = ofKind<Manifest & { automountServiceAccountToken?: boolean }>(
            manifests,
            "ServiceAccount",
          ).find((m) => m.metadata.name === pod.serviceAccountName);
          if (!account)
            found.push([workload, `runs as ServiceAccount ${pod.serviceAccountName ?? "default"}, not one of its own`]);
          else if (account.automountServiceAccountToken !== false)
            found.push([account, "automountServiceAccountToken is not false"]);
          for (const volume of pod.volumes ?? [])
            if (volume.hostPath) found.push([workload, `volume ${volume.name} is a hostPath`]);
          for (const container of containersOf(pod)) {
            const context = container.securityContext ?? {};
            const where = `container ${container.name}`;
            if (context.allowPrivilegeEscalation !== false)
              found.push([workload, `${where}: allowPrivilegeEscalation is not false`]);
            if (context.readOnlyRootFilesystem !== true)
              found.push([workload, `${where}: the root file system is writable`]);
            if (context.privileged) found.push([workload, `${where}: privileged`]);
            if (!context.capabilities?.drop?.includes("ALL"))
              found.push([workload, `${where}: capabilities ALL not dropped`]);
            if (context.capabilities?.add?.length) found.push([workload, `${where}: adds capabilities`]);
            const seccomp = context.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
            if (seccomp !== "RuntimeDefault") found.push([workload, `${where}: seccomp profile ${seccomp ?? "unset"}`]);
            const tmp = container.volumeMounts?.find((m) => m.mountPath === "/tmp");
            if (!pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir) {
              found.push([workload, `${where}: /tmp is not an emptyDir (the root file system is read-only)`]);
            }
          }
        }
        expect(violations("restricted security context", found)).toEqual([]);
      });

      it("bounds every container's CPU and memory, requests within limits", () => {
        const found: Array<[Manifest, string]> = [];
        for (const workload of workloads(manifests)) {
          for (const container of containersOf(workload.spec.template.spec)) {
            for (const resource of ["cpu", "memory"]) {
              const request = container.resources?.requests?.[resource];
              const limit = container.resources?.limits?.[resource];
              if (!request || !limit)
                found.push([workload, `container ${container.name}: no ${resource} request and limit`]);
              else if (!(quantity(request) <= quantity(limit))) {
                found.push([
                  workload,
                  `container ${container.name}: ${resource} request ${request} above limit ${limit}`,
                ]);
              }
            }
          }
        }
        for (const cluster of ofKind<Manifest & { spec: { resources?: typeof Object.prototype } }>(
          manifests,
          "Cluster",
        )) {
          if (!cluster.spec.resources) found.push([cluster, "no resources for the PostgreSQL instances"]);
        }
        expect(violations("resources", found)).toEqual([]);
      });

      it("probes every long-running container on a port it declares", () => {
        const found: Array<[Manifest, string]> = [];
        for (const deployment of ofKind<Workload>(manifests, "Deployment")) {
          for (const container of deployment.spec.template.spec.containers) {
            const ports = new Set<string | number>(
              (container.ports ?? []).flatMap((p) => [p.containerPort, ...(p.name ? [p.name] : [])]),
            );
            for (const kind of ["livenessProbe", "readinessProbe"] as const) {
              if (!container[kind]) found.push([deployment, `container ${container.name}: no ${kind}`]);
            }
            for (const kind of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
              const port = container[kind]?.httpGet?.port ?? container[kind]?.tcpSocket?.port;
              if (container[kind] && !ports.has(port!)) {
                found.push([
                  deployment,
                  `container ${container.name}: ${kind} on port ${port}, which it does not declare`,
                ]);
              }
            }
          }
        }
        expect(violations("probes", found)).toEqual([]);
      });

      it("pins every image by tag or digest, ours at the release tag", () => {
        const found: Array<[Manifest, string]> = [];
        const images: Array<[Manifest, string]> = workloads(manifests).flatMap((w) =>
          containersOf(w.spec.template.spec).map((c): [Manifest, string] => [w, c.image]),
        );
        for (const cluster of ofKind<Manifest & { spec: { imageName?: string } }>(manifests, "Cluster")) {
          images.push([cluster, cluster.spec.imageName ?? ""]);
        }
        for (const [manifest, image] of images) {
          const match = /^([^:@\s]+)(?::([\w][\w.-]*))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(image);
          if (!match || (!match[2] && !match[3])) found.push([manifest, `image "${image}" has neither tag nor digest`]);
          else if (match[2] === "latest") found.push([manifest, `image "${image}" is :latest`]);
          else if (match[1] === IMAGE_REPOSITORY && match[2] !== IMAGE_TAG && !match[3]) {
            found.push([manifest, `image "${image}" is not the release ${IMAGE_TAG}`]);
          }
        }
        expect(violations("pinned images", found)).toEqual([]);
      });

      it("covers every Deployment by one PodDisruptionBudget and one NetworkPolicy", () => {
        const found: Array<[Manifest, string]> = [];
        for (const deployment of ofKind<Workload>(manifests, "Deployment")) {
          const labels = deployment.spec.template.metadata.labels;
          const budgets = ofKind<Manifest & { spec: { selector: Selector } }>(manifests, "PodDisruptionBudget").filter(
            (b) => selects(b.spec.selector, labels),
          );
          if (budgets.length !== 1) found.push([deployment, `${budgets.length} PodDisruptionBudgets select its pods`]);
          const policies = ofKind<NetworkPolicy>(manifests, "NetworkPolicy").filter((p) =>
            selects(p.spec.podSelector, labels),
          );
          if (policies.length !== 1) found.push([deployment, `${policies.length} NetworkPolicies select its pods`]);
        }
        for (const budget of ofKind<Manifest & { spec: { selector: Selector } }>(manifests, "PodDisruptionBudget")) {
          const covered = ofKind<Workload>(manifests, "Deployment").some((d) =>
            selects(budget.spec.selector, d.spec.template.metadata.labels),
          );
          if (!covered) found.push([budget, "selects no Deployment's pods"]);
        }
        expect(violations("PodDisruptionBudget and NetworkPolicy per Deployment", found)).toEqual([]);
      });

      it("lets a pod in on its own ports only, and out only to DNS and what it is configured to reach", () => {
        const found: Array<[Manifest, string]> = [];
        const podLabels = workloads(manifests).map((w) => w.spec.template.metadata.labels);
        const clusters = ofKind<Manifest>(manifests, "Cluster").map((c) => c.metadata.name);
        for (const policy of ofKind<NetworkPolicy>(manifests, "NetworkPolicy")) {
          const workload = workloads(manifests).find((w) =>
            selects(policy.spec.podSelector, w.spec.template.metadata.labels),
          );
          if (!workload) {
            found.push([policy, "selects no pod of this rendering"]);
            continue;
          }
          const types = [...(policy.spec.policyTypes ?? [])].sort();
          if (types.join() !== "Egress,Ingress")
            found.push([policy, `policyTypes ${types.join() || "unset"}: both Ingress and Egress`]);
          const declared = new Set<string | number>(
            workload.spec.template.spec.containers.flatMap((c) =>
              (c.ports ?? []).flatMap((p) => [p.containerPort, ...(p.name ? [p.name] : [])]),
            ),
          );
          for (const rule of policy.spec.ingress ?? []) {
            if (!rule.ports?.length) found.push([policy, "an ingress rule admits every port"]);
            for (const port of rule.ports ?? []) {
              if (!declared.has(port.port!))
                found.push([policy, `ingress on port ${port.port}, which its pods do not serve`]);
            }
          }
          const egressPorts = new Set<number>();
          for (const rule of policy.spec.egress ?? []) {
            if (!rule.ports?.length) found.push([policy, "an egress rule allows every port"]);
            if (!rule.to?.length) found.push([policy, "an egress rule allows every destination"]);
            for (const port of rule.ports ?? []) egressPorts.add(Number(port.port));
            // The base alone is not an environment: what it reaches is deployed by the overlays.
            for (const peer of rendering.startsWith("k8s/overlays/") ? (rule.to ?? []) : []) {
              if (!peer.podSelector || peer.namespaceSelector) continue;
              const cluster = peer.podSelector.matchLabels?.["cnpg.io/cluster"];
              const reachable =
                cluster !== undefined
                  ? clusters.includes(cluster)
                  : podLabels.some((l) => selects(peer.podSelector, l));
              // Without an in-cluster database (production without CloudNativePG) the rule must name the database's address instead.
              if (!reachable)
                found.push([
                  policy,
                  `egress to pods ${JSON.stringify(peer.podSelector.matchLabels)}, which this rendering does not run`,
                ]);
            }
          }
          if (!egressPorts.has(DNS_PORT)) found.push([policy, "no DNS"]);
          if ((SERVICES as readonly string[]).includes(workload.metadata.name) && workload.kind === "Deployment") {
            const container = workload.spec.template.spec.containers[0]!;
            const env = plainEnvironment(container, manifests);
            const wanted = new Set([
              DNS_PORT,
              urlPort(env.NATS_URL!),
              POSTGRES_PORT,
              urlPort(env.STACKS_API_URL!),
              urlPort(env.OTEL_EXPORTER_OTLP_ENDPOINT!),
              // The identity provider's keys, when callers authenticate with JWTs.
              ...(env.AUTH_JWKS_URL ? [urlPort(env.AUTH_JWKS_URL)] : []),
            ]);
            const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b).join(", ");
            if (sorted(wanted) !== sorted(egressPorts)) {
              found.push([
                policy,
                `egress to ports ${sorted(egressPorts)}; its configuration reaches ${sorted(wanted)}`,
              ]);
            }
          }
        }
        expect(violations("NetworkPolicy", found)).toEqual([]);
      });

      it("references only Secrets that the overlay generates or k8s/README.md documents, key by key", () => {
        const found: Array<[Manifest, string]> = [];
        const documented = documentedSecrets();
        const secrets = ofKind<Secret>(manifests, "Secret");
        const check = (manifest: Manifest, name: string, key: string | undefined) => {
          const generated = secrets.find((s) => s.metadata.name === name);
          if (generated) {
            if (key !== undefined && !(key in (generated.data ?? {})))
              found.push([manifest, `Secret ${name} has no key ${key}`]);
            return;
          }
          const entry = documented.find((d) => d.name.test(name));
          if (!entry)
            found.push([manifest, `Secret ${name} is neither generated here nor documented in k8s/README.md`]);
          else if (key !== undefined && !entry.keys.has(key))
            found.push([manifest, `k8s/README.md documents no key ${key} of Secret ${name}`]);
        };
        for (const workload of workloads(manifests)) {
          const pod = workload.spec.template.spec;
          for (const container of containersOf(pod)) {
            for (const variable of container.env ?? []) {
              const ref = variable.valueFrom?.secretKeyRef;
              if (ref) check(workload, ref.name, ref.key);
            }
            // Files read from a mounted Secret: the paths under its mount that the container's arguments and configuration name.
            const said = JSON.stringify([container.command, container.args, plainEnvironment(container, manifests)]);
            for (const mount of container.volumeMounts ?? []) {
              const secret = pod.volumes?.find((v) => v.name === mount.name)?.secret;
              if (!secret) continue;
              const files = [...said.matchAll(new RegExp(`${mount.mountPath}/([\\w.-]+)`, "g"))].map((m) => m[1]!);
              if (files.length === 0) check(workload, secret.secretName, undefined);
              for (const file of files) check(workload, secret.secretName, file);
            }
          }
        }
        for (const ingress of ofKind<Manifest & { spec: { tls?: Array<{ secretName: string }> } }>(
          manifests,
          "Ingress",
        )) {
          for (const tls of ingress.spec.tls ?? []) check(ingress, tls.secretName, undefined);
        }
        for (const cluster of ofKind<Manifest>(manifests, "Cluster")) {
          const entry = documented.find((d) => d.name.test(`${cluster.metadata.name}-app`));
          if (!entry)
            found.push([cluster, `its Secret ${cluster.metadata.name}-app is not documented in k8s/README.md`]);
          for (const key of entry?.keys ?? []) {
            if (!CNPG_APP_SECRET_KEYS.includes(key)) found.push([cluster, `CloudNativePG makes no key ${key}`]);
          }
        }
        expect(violations("secret references", found)).toEqual([]);
      });

      it("names only streams, subjects and durable consumers of the event catalog", () => {
        const found: Array<[Manifest, string]> = [];
        const natsValues = parse(readFileSync(join(k8sDir, "nats/values.yaml"), "utf8")) as {
          config: { monitor: { port: number } };
        };
        for (const scaled of ofKind<
          Manifest & {
            spec: {
              scaleTargetRef: { name: string };
              triggers: Array<{ type: string; metadata: Record<string, string> }>;
            };
          }
        >(manifests, "ScaledObject")) {
          const service = scaled.spec.scaleTargetRef.name;
          const target = ofKind<Workload>(manifests, "Deployment").find((d) => d.metadata.name === service);
          if (!target) {
            found.push([scaled, `scales ${service}, which is not deployed`]);
            continue;
          }
          const env = plainEnvironment(target.spec.template.spec.containers[0]!, manifests);
          const naming = new SubjectNaming(env.SUBJECT_PREFIX ?? "");
          const nats = new URL(env.NATS_URL!);
          const subjects = consumedSubjects(service);
          for (const trigger of scaled.spec.triggers) {
            if (trigger.type !== "nats-jetstream") {
              found.push([scaled, `trigger ${trigger.type}: only JetStream consumer lag scales a service`]);
              continue;
            }
            for (const key of Object.keys(trigger.metadata)) {
              if (!NATS_JETSTREAM_METADATA.has(key))
                found.push([scaled, `${key} is not a setting of the nats-jetstream scaler`]);
            }
            const { stream, consumer, natsServerMonitoringEndpoint, lagThreshold } = trigger.metadata;
            const declared = Object.values(eventStreams).find((s) => naming.streamName(s.name) === stream);
            const subject = subjects.find(
              (s) => naming.wire(durableName(service, s)) === consumer || durableName(service, s) === consumer,
            );
            if (!declared) found.push([scaled, `stream ${stream} is not one of libs/events' eventStreams`]);
            if (!subject)
              found.push([
                scaled,
                `consumer ${consumer} is not a durable of ${service} (durableName of a subject it handles)`,
              ]);
            else if (!(eventTypes as string[]).includes(subject))
              found.push([scaled, `subject ${subject} is not in the event catalog`]);
            else if (declared && !declared.subjects.some((filter) => subjectMatches(filter, subject))) {
              found.push([scaled, `subject ${subject} is not held by stream ${stream}`]);
            }
            if (natsServerMonitoringEndpoint !== `${nats.hostname}:${natsValues.config.monitor.port}`) {
              found.push([
                scaled,
                `monitoring endpoint ${natsServerMonitoringEndpoint} is not NATS_URL's server on the chart's monitor port`,
              ]);
            }
            if (!/^[1-9]\d*$/.test(lagThreshold ?? ""))
              found.push([scaled, `lagThreshold "${lagThreshold}" is not a positive whole number`]);
          }
        }
        for (const configMap of ofKind<ConfigMap>(manifests, "ConfigMap")) {
          for (const [key, value] of Object.entries(configMap.data ?? {})) {
            if (!/SUBJECTS?$/.test(key)) continue;
            for (const subject of value.split(",").map((s) => s.trim())) {
              if (!(eventTypes as string[]).includes(subject))
                found.push([configMap, `${key}: ${subject} is not in the event catalog`]);
            }
          }
        }
        expect(violations("event catalog", found)).toEqual([]);
      });

      it("scales on consumer lag only the services whose replicas add work, never a signer's standbys alone", () => {
        const found: Array<[Manifest, string]> = [];
        for (const scaled of ofKind<
          Manifest & {
            spec: {
              scaleTargetRef: { name: string; kind?: string };
              minReplicaCount?: number;
              maxReplicaCount?: number;
            };
          }
        >(manifests, "ScaledObject")) {
          const { scaleTargetRef, minReplicaCount, maxReplicaCount } = scaled.spec;
          for (const key of Object.keys(scaled.spec)) {
            if (!SCALED_OBJECT_FIELDS.has(key)) found.push([scaled, `spec.${key} is not a field of ScaledObject`]);
          }
          if (scaleTargetRef.kind && scaleTargetRef.kind !== "Deployment")
            found.push([scaled, `scales a ${scaleTargetRef.kind}`]);
          if (NOT_AUTOSCALED.has(scaleTargetRef.name))
            found.push([scaled, `${scaleTargetRef.name} must not scale (signing leases: its replicas only stand by)`]);
          // One replica signs, a second stands by to take the leases over; scaling to zero would stop the follower too.
          if (!(Number(minReplicaCount) >= 2)) found.push([scaled, `minReplicaCount ${minReplicaCount}: at least 2`]);
          if (!(Number(maxReplicaCount) > Number(minReplicaCount)))
            found.push([scaled, `maxReplicaCount ${maxReplicaCount} is not above the minimum`]);
          const target = ofKind<Workload & { spec: { replicas?: number } }>(manifests, "Deployment").find(
            (d) => d.metadata.name === scaleTargetRef.name,
          );
          // A count in the Deployment would be set back at every apply, fighting the autoscaler.
          if (target?.spec.replicas !== undefined)
            found.push([target, `sets replicas (${target.spec.replicas}) that KEDA owns`]);
        }
        for (const autoscaler of ofKind<Manifest>(manifests, "HorizontalPodAutoscaler"))
          found.push([autoscaler, "scale with KEDA ScaledObjects"]);
        expect(violations("autoscaling", found)).toEqual([]);
      });

      it("scrapes every service's /metrics through a ServiceMonitor on a port its Service names", () => {
        const found: Array<[Manifest, string]> = [];
        const services = ofKind<Manifest & { spec: { ports: Array<{ name?: string }> } }>(manifests, "Service");
        const monitors = ofKind<
          Manifest & { spec: { selector: Selector; endpoints: Array<{ port?: string; path?: string }> } }
        >(manifests, "ServiceMonitor");
        for (const monitor of monitors) {
          for (const key of Object.keys(monitor.spec)) {
            if (!SERVICE_MONITOR_FIELDS.has(key)) found.push([monitor, `spec.${key} is not a field of ServiceMonitor`]);
          }
          const selected = services.filter((s) => selects(monitor.spec.selector, s.metadata.labels ?? {}));
          if (selected.length !== 1) found.push([monitor, `selects ${selected.length} Services`]);
          for (const endpoint of monitor.spec.endpoints) {
            if (endpoint.path !== "/metrics")
              found.push([monitor, `scrapes ${endpoint.path ?? "/metrics by default"}, not /metrics`]);
            if (!selected[0]?.spec.ports.some((p) => p.name === endpoint.port))
              found.push([monitor, `port ${endpoint.port} is not named by its Service`]);
          }
        }
        if (monitors.length > 0) {
          for (const service of SERVICES) {
            if (!monitors.some((m) => selects(m.spec.selector, { "app.kubernetes.io/name": service }))) {
              found.push([services.find((s) => s.metadata.name === service)!, "no ServiceMonitor"]);
            }
          }
        }
        expect(violations("ServiceMonitor", found)).toEqual([]);
      });

      it("runs CloudNativePG clusters the services can use", () => {
        const found: Array<[Manifest, string]> = [];
        type Cluster = Manifest & {
          spec: {
            instances?: number;
            imageName?: string;
            storage?: { size?: string };
            bootstrap?: { initdb?: { database?: string; owner?: string } };
          };
        };
        const known = new Set([
          "instances",
          "imageName",
          "postgresql",
          "bootstrap",
          "storage",
          "resources",
          "monitoring",
          "affinity",
          "backup",
        ]);
        for (const cluster of ofKind<Cluster>(manifests, "Cluster")) {
          if (cluster.apiVersion !== "postgresql.cnpg.io/v1") found.push([cluster, `apiVersion ${cluster.apiVersion}`]);
          for (const key of Object.keys(cluster.spec))
            if (!known.has(key)) found.push([cluster, `spec.${key} is not a field used here`]);
          if (!Number.isInteger(cluster.spec.instances) || cluster.spec.instances! < 1)
            found.push([cluster, "instances: a whole number from 1"]);
          if (!(quantity(cluster.spec.storage?.size ?? "") > 0)) found.push([cluster, "no storage size"]);
          if (!cluster.spec.bootstrap?.initdb?.database || !cluster.spec.bootstrap.initdb.owner)
            found.push([cluster, "initdb names no database and owner"]);
          for (const deployment of ofKind<Workload>(manifests, "Deployment").filter((d) =>
            (SERVICES as readonly string[]).includes(d.metadata.name),
          )) {
            for (const container of containersOf(deployment.spec.template.spec)) {
              const ref = container.env?.find((v) => v.name === "DATABASE_URL")?.valueFrom?.secretKeyRef;
              if (ref?.name !== `${cluster.metadata.name}-app` || ref.key !== "uri") {
                found.push([
                  deployment,
                  `container ${container.name} takes DATABASE_URL from ${ref?.name}/${ref?.key}, not the cluster's uri`,
                ]);
              }
            }
          }
        }
        expect(violations("CloudNativePG", found)).toEqual([]);
      });

      it("sends the services' spans to a collector that receives them and exports them somewhere", () => {
        const found: Array<[Manifest, string]> = [];
        const collector = ofKind<Workload>(manifests, "Deployment").find((d) => d.metadata.name === "otel-collector");
        const services = ofKind<Workload>(manifests, "Deployment").filter((d) =>
          (SERVICES as readonly string[]).includes(d.metadata.name),
        );
        if (!collector) {
          // The base alone deploys no collector; an overlay does.
          if (rendering.startsWith("k8s/overlays/") && services.length > 0)
            found.push([services[0]!, "no otel-collector Deployment"]);
          expect(violations("collector", found)).toEqual([]);
          return;
        }
        const container = collector.spec.template.spec.containers[0]!;
        const configPath = container.args?.find((a) => a.startsWith("--config="))?.slice("--config=".length) ?? "";
        const mount = container.volumeMounts?.find((m) => m.mountPath === posix.dirname(configPath));
        const configMapName = collector.spec.template.spec.volumes?.find((v) => v.name === mount?.name)?.configMap
          ?.name;
        const text = ofKind<ConfigMap>(manifests, "ConfigMap").find((m) => m.metadata.name === configMapName)?.data?.[
          posix.basename(configPath)
        ];
        if (!text) {
          found.push([collector, `its --config ${configPath} is not a mounted ConfigMap key`]);
        } else {
          type Pipeline = { receivers?: string[]; processors?: string[]; exporters?: string[] };
          const config = parse(text) as {
            receivers?: { otlp?: { protocols?: { http?: { endpoint?: string } } } } & Record<string, unknown>;
            processors?: Record<string, unknown>;
            exporters?: Record<string, unknown>;
            extensions?: { health_check?: { endpoint?: string } };
            service?: { pipelines?: Record<string, Pipeline> };
          };
          const traces = config.service?.pipelines?.traces;
          if (!traces?.receivers?.includes("otlp")) found.push([collector, "no traces pipeline receiving OTLP"]);
          for (const [name, pipeline] of Object.entries(config.service?.pipelines ?? {})) {
            for (const part of ["receivers", "processors", "exporters"] as const) {
              for (const component of pipeline[part] ?? []) {
                if (!(component in (config[part] ?? {})))
                  found.push([collector, `pipeline ${name} uses ${part} ${component}, which is not configured`]);
              }
            }
            if (!pipeline.exporters?.length) found.push([collector, `pipeline ${name} exports nowhere`]);
          }
          const httpPort = Number(config.receivers?.otlp?.protocols?.http?.endpoint?.split(":").at(-1));
          const healthPort = Number(config.extensions?.health_check?.endpoint?.split(":").at(-1));
          const portsByName = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
          if (portsByName.get(String(container.readinessProbe?.httpGet?.port)) !== healthPort) {
            found.push([collector, "the readiness probe is not on the health_check extension's port"]);
          }
          const service = ofKind<Manifest & { spec: { ports: Array<{ port: number; targetPort: string | number }> } }>(
            manifests,
            "Service",
          ).find((s) => s.metadata.name === collector.metadata.name);
          for (const deployment of services) {
            const endpoint = new URL(
              plainEnvironment(deployment.spec.template.spec.containers[0]!, manifests).OTEL_EXPORTER_OTLP_ENDPOINT!,
            );
            const servicePort = service?.spec.ports.find((p) => p.port === Number(endpoint.port));
            if (
              endpoint.hostname !== service?.metadata.name ||
              portsByName.get(String(servicePort?.targetPort)) !== httpPort
            ) {
              found.push([
                deployment,
                `OTEL_EXPORTER_OTLP_ENDPOINT ${endpoint.href} does not reach the collector's OTLP/HTTP receiver`,
              ]);
            }
          }
        }
        expect(violations("collector", found)).toEqual([]);
      });

      it("serves every Ingress host over TLS from cert-manager, to Services that exist", () => {
        const found: Array<[Manifest, string]> = [];
        type Ingress = Manifest & {
          spec: {
            tls?: Array<{ hosts?: string[] }>;
            rules?: Array<{
              host?: string;
              http?: { paths: Array<{ backend: { service?: { name: string; port: { name?: string } } } }> };
            }>;
          };
        };
        const services = ofKind<Manifest & { spec: { ports: Array<{ name?: string }> } }>(manifests, "Service");
        for (const ingress of ofKind<Ingress>(manifests, "Ingress")) {
          const annotations = ingress.metadata.annotations ?? {};
          if (!annotations["cert-manager.io/cluster-issuer"] && !annotations["cert-manager.io/issuer"])
            found.push([ingress, "no cert-manager issuer annotation"]);
          const covered = new Set((ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []));
          for (const rule of ingress.spec.rules ?? []) {
            if (!rule.host || !covered.has(rule.host))
              found.push([ingress, `host ${rule.host ?? "(any)"} is not served over TLS`]);
            for (const path of rule.http?.paths ?? []) {
              const backend = path.backend.service;
              const service = services.find((s) => s.metadata.name === backend?.name);
              if (!service?.spec.ports.some((p) => p.name === backend?.port.name)) {
                found.push([
                  ingress,
                  `backend ${backend?.name}:${backend?.port.name} is not a named port of a Service here`,
                ]);
              }
            }
          }
        }
        expect(violations("Ingress", found)).toEqual([]);
      });

      it("deploys the contracts with the CLI's deploy command and its own flags", () => {
        const found: Array<[Manifest, string]> = [];
        const flags = new Set([...DEPLOY_USAGE.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!));
        const required = [...DEPLOY_USAGE.replace(/\[[^\]]*\]/g, "").matchAll(/--([a-z-]+)/g)].map((m) => m[1]!);
        for (const job of ofKind<Workload>(manifests, "Job")) {
          const deploy = containersOf(job.spec.template.spec).find((c) => c.command?.[2] === "deploy");
          if (!deploy || deploy.command![0] !== "node" || deploy.command![1] !== "cli/bin/voltstack.js") {
            found.push([job, 'no container runs ["node", "cli/bin/voltstack.js", "deploy", ...]']);
            continue;
          }
          const args = deploy.command!.slice(3);
          const given = args.filter((a) => a.startsWith("--")).map((a) => a.slice(2));
          for (const flag of given)
            if (!flags.has(flag)) found.push([job, `--${flag} is not a flag of voltstack ${DEPLOY_USAGE}`]);
          for (const flag of required) if (!given.includes(flag)) found.push([job, `--${flag} is required`]);
          const env = plainEnvironment(deploy, manifests);
          const resolved = args.map((a) =>
            a.replace(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? `<${name} unset>`),
          );
          const network = resolved[resolved.indexOf("--network") + 1];
          if (!["devnet", "testnet", "mainnet"].includes(network ?? "")) found.push([job, `--network ${network}`]);
          if (resolved.some((a) => a.includes(" unset>")))
            found.push([job, `an argument names a variable it does not set: ${resolved.join(" ")}`]);
        }
        expect(violations("contract deployment", found)).toEqual([]);
      });
    });
  }

  describe("k8s/components/monitoring/voltstack-dashboard.json", () => {
    type Panel = { type: string; title: string; targets?: Array<{ expr: string }>; panels?: Panel[] };
    const dashboard = JSON.parse(
      readFileSync(join(k8sDir, "components/monitoring/voltstack-dashboard.json"), "utf8"),
    ) as { panels: Panel[] };
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== "row");

    it("reads the metric names of a query, histograms by their own name", () => {
      expect(
        metricsOf(
          'histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{namespace="$namespace"}[5m])))',
        ),
      ).toEqual(["http_server_request_duration_seconds"]);
      expect(metricsOf("sum(rate(a_total[5m])) / on (x) group_left b_gauge > 0")).toEqual(["a_total", "b_gauge"]);
    });

    it("queries only metrics the code defines", () => {
      const defined = metricNamesInCode();
      const unknown = panels.flatMap((panel) =>
        (panel.targets ?? []).flatMap((t) =>
          metricsOf(t.expr)
            .filter((m) => !defined.has(m))
            .map((m) => `panel "${panel.title}": ${m}`),
        ),
      );
      expect(panels.length).toBeGreaterThan(0);
      expect(unknown).toEqual([]);
    });

    it("shows the event flow, consumer lag, dead letters, chain transactions by outcome and confirmation time, and HTTP latency", () => {
      const read = (metric: string) =>
        panels.some((p) => (p.targets ?? []).some((t) => metricsOf(t.expr).includes(metric)));
      for (const metric of [
        "messaging_events_published_total",
        "messaging_events_consumed_total",
        "messaging_consumer_lag",
        "messaging_events_dead_lettered_total",
        "voltstack_chain_transactions_total",
        "voltstack_chain_confirmation_seconds",
        "http_server_request_duration_seconds",
      ]) {
        expect(read(metric), metric).toBe(true);
      }
    });

    it("is what the monitoring component deploys", () => {
      const production = renderings.find((r) => r.name === "k8s/overlays/production")!;
      const configMap = ofKind<ConfigMap>(production.manifests, "ConfigMap").find(
        (m) => m.metadata.name === "voltstack-dashboard",
      );
      expect(configMap?.metadata.labels?.grafana_dashboard).toBe("1");
      expect(JSON.parse(configMap!.data!["voltstack-dashboard.json"]!)).toEqual(dashboard);
    });
  });

  it("k8s/nats/values.yaml runs JetStream on file storage over three servers, with the monitor KEDA reads", () => {
    const values = parse(readFileSync(join(k8sDir, "nats/values.yaml"), "utf8")) as {
      config: {
        cluster: { enabled: boolean; replicas: number };
        jetstream: {
          enabled: boolean;
          fileStore: { enabled: boolean; pvc: { enabled: boolean } };
          memoryStore?: { enabled: boolean };
        };
        monitor: { enabled: boolean; port: number };
      };
      service: { ports: { monitor: { enabled: boolean } } };
    };
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true } },
    });
    expect(values.config.monitor).toMatchObject({ enabled: true });
    expect(values.service.ports.monitor.enabled).toBe(true);
    // The release `nats` in the namespace `nats`, as NATS_URL names it.
    const common = ofKind<ConfigMap>(renderings[0]!.manifests, "ConfigMap").find(
      (m) => m.metadata.name === "voltstack-common",
    )!;
    expect(new URL(common.data!.NATS_URL!).hostname).toBe("nats.nats.svc.cluster.local");
  });
});
