import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as models from "kubernetes-models";
import type { Manifest } from "./render.js";

// The Kubernetes API's own schemas, as kubernetes-models ships them, for the built-in kinds.
// Its validators accept fields the API does not know (a misspelt `readOnlyRootFileSystem`
// would pass and be dropped by the API server), so unknown fields are found here too, from
// the field lists of the models' type declarations.

type ModelClass = (new (data: unknown) => { validate(): void }) & { apiVersion: string; kind: string };

const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve("kubernetes-models/package.json"));

const modelClasses = new Map<string, ModelClass>();
(function collect(exports: object, depth: number) {
  for (const value of Object.values(exports)) {
    if (typeof value === "function" && typeof value.apiVersion === "string" && typeof value.kind === "string") {
      modelClasses.set(`${value.apiVersion}/${value.kind}`, value as ModelClass);
    } else if (value && typeof value === "object" && depth < 2) collect(value, depth + 1);
  }
})(models, 0);

export function isBuiltIn(manifest: Manifest): boolean {
  return modelClasses.has(`${manifest.apiVersion}/${manifest.kind}`);
}

/** The API schema's complaints about a built-in object, one line each; [] when it is valid. */
export function schemaErrors(manifest: Manifest): string[] {
  const model = modelClasses.get(`${manifest.apiVersion}/${manifest.kind}`);
  if (!model) return [`${manifest.apiVersion} ${manifest.kind} is not a kind of the Kubernetes API`];
  try {
    new model(manifest).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    return errors ? errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}`) : [String(error)];
  }
}

/** A file of an installed package, by its import path (`@kubernetes-models/apimachinery/apis/...`). */
function packageFile(importPath: string): string {
  const parts = importPath.split("/");
  const length = importPath.startsWith("@") ? 2 : 1;
  const packageDir = dirname(require.resolve(`${parts.slice(0, length).join("/")}/package.json`));
  return join(packageDir, ...parts.slice(length));
}

interface Field {
  /** The declaration file of the field's object type, or undefined for scalars, maps and aliases. */
  objectFile: string | undefined;
}

const fieldCache = new Map<string, Map<string, Field> | undefined>();

/** The fields of the interface a declaration file exports first, with where their own types are declared. */
function fieldsOf(file: string): Map<string, Field> | undefined {
  if (fieldCache.has(file)) return fieldCache.get(file);
  const source = readFileSync(file, "utf8");
  const imports = new Map<string, string>();
  for (const [, name, from] of source.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    imports.set(name!, from!.startsWith(".") ? join(dirname(file), `${from}.d.ts`) : packageFile(`${from}.d.ts`));
  }
  const body = /export interface \w+(?: extends \w+)? \{([\s\S]*?)\n\}/.exec(source)?.[1];
  let fields: Map<string, Field> | undefined;
  if (body !== undefined) {
    fields = new Map();
    // A field's declaration starts its line; a map's type (`{ [key: string]: string; }`) runs over several.
    for (const [, name, type] of body.matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
      const element = /^(?:Array<(\w+)>|(\w+));$/.exec(type!);
      const typeName = element?.[1] ?? element?.[2];
      const objectFile = typeName ? imports.get(typeName) : undefined;
      fields.set(name!, { objectFile: objectFile && existsSync(objectFile) ? objectFile : undefined });
    }
  }
  fieldCache.set(file, fields);
  return fields;
}

function unknownIn(value: unknown, file: string, path: string, found: string[]): void {
  const fields = fieldsOf(file);
  if (!fields || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownIn(item, file, `${path}/${i}`, found));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const field = fields.get(key);
    if (!field) found.push(`${path}/${key}`);
    else if (field.objectFile) unknownIn(child, field.objectFile, `${path}/${key}`, found);
  }
}

/** Paths of fields the object's kind does not have (`/spec/template/spec/containers/0/readOnlyRootFileSystem`). */
export function unknownFields(manifest: Manifest): string[] {
  const [group, version] = manifest.apiVersion.includes("/")
    ? manifest.apiVersion.split("/")
    : ["", manifest.apiVersion];
  const file = join(modelsDir, group ? `${group}/${version}` : version!, `${manifest.kind}.d.ts`);
  const found: string[] = [];
  unknownIn(manifest, file, "", found);
  return found;
}
