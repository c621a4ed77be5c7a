import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

// Renders the kustomizations under k8s/ as `kubectl apply -k` would, with kubectl's own
// kustomize, so that what the tests check is what a cluster would receive.

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const k8sDir = join(root, "k8s");

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Rendering {
  /** The kustomization's folder, relative to the repository (k8s/overlays/dev). */
  name: string;
  dir: string;
  manifests: Manifest[];
}

function kubectl(): string {
  const found = (process.env.PATH ?? "")
    .split(delimiter)
    .concat("/usr/local/bin", "/usr/bin")
    .map((dir) => join(dir, "kubectl"))
    .find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      "kubectl is not installed: the k8s manifest tests render every overlay with `kubectl kustomize` " +
        "(kubectl 1.27 or later, https://kubernetes.io/docs/tasks/tools/). No cluster is needed.",
    );
  }
  return found;
}

/** The folders holding a kustomization.yaml under k8s/overlays, and the base: what operators apply. */
export function kustomizationDirs(): string[] {
  const walk = (dir: string): string[] => [
    ...(existsSync(join(dir, "kustomization.yaml")) ? [dir] : []),
    ...readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => walk(join(dir, entry.name))),
  ];
  return [join(k8sDir, "base"), join(k8sDir, "contract-deployment"), ...walk(join(k8sDir, "overlays"))];
}

export function render(dir: string): Rendering {
  let output: string;
  try {
    output = execFileSync(kubectl(), ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`kubectl kustomize ${relative(root, dir)} failed: ${stderr.trim()}`);
  }
  const manifests = parseAllDocuments(output).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${relative(root, dir)}: ${document.errors[0]!.message}`);
    const value = document.toJS() as Manifest | null;
    return value ? [value] : [];
  });
  // kustomize folds long base64 values over lines, which YAML reads back with spaces between the parts.
  for (const manifest of manifests) {
    const data = manifest.kind === "Secret" ? (manifest.data as Record<string, string> | undefined) : undefined;
    for (const key of Object.keys(data ?? {})) data![key] = data![key]!.replace(/\s+/g, "");
  }
  return { name: relative(root, dir), dir, manifests };
}

/** `kind/name`, as messages name an object. */
export function objectName(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}
