import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * What this checkout's local system owns on the shared PostgreSQL and NATS servers: schemas
 * named `<schemaPrefix><service>`, subjects, streams and consumers under `<subjectPrefix>`.
 * Made once per state folder and kept in `instance.json`, so two checkouts (or a checkout and
 * anything else on the default database) never touch each other's data, and `voltstack up`
 * only ever drops schemas it made.
 */
export interface LocalInstance {
  id: string;
  schemaPrefix: string;
  subjectPrefix: string;
  createdAt: string;
}

const INSTANCE_FILE = "instance.json";

/** This state folder's instance, made (and recorded) on first use. */
export async function localInstance(state: string): Promise<LocalInstance> {
  const path = join(state, INSTANCE_FILE);
  try {
    return JSON.parse(await readFile(path, "utf8")) as LocalInstance;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const id = randomBytes(3).toString("hex");
  const instance: LocalInstance = {
    id,
    schemaPrefix: `vs_${id}_`,
    subjectPrefix: `vs_${id}.`,
    createdAt: new Date().toISOString(),
  };
  await mkdir(state, { recursive: true });
  await writeFile(path, `${JSON.stringify(instance, null, 2)}\n`, { flag: "wx" });
  return instance;
}
