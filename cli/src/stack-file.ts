import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SERVICE_NAMES, type ServiceName, VoltstackClient } from "@voltstack/client";
import type { LocalCredential } from "@voltstack/local-stack";

/** Where a running local system can be reached, written by `voltstack up`. */
export interface StackFile {
  urls: Record<ServiceName, string>;
  devnetUrl: string;
  natsUrl: string;
  subjectPrefix: string;
  /** Principals without API keys that the demo pays revenue to. */
  stakeholders: string[];
  startedAt: string;
  pid: number;
}

/** The local state folder: `.voltstack` in the current directory, or VOLTSTACK_HOME. */
export function stateDir(): string {
  return resolve(process.env.VOLTSTACK_HOME ?? ".voltstack");
}

export async function writeStackFile(stack: StackFile): Promise<void> {
  await writeFile(join(stateDir(), "stack.json"), `${JSON.stringify(stack, null, 2)}\n`);
}

export class CliUsageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CliUsageError";
  }
}

async function readJson<T>(path: string, missing: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CliUsageError("STACK_NOT_RUNNING", missing);
    throw error;
  }
}

/**
 * The services' addresses and the caller's API key: VOLTSTACK_<SERVICE>_URL and
 * VOLTSTACK_API_KEY when set (a deployed system), else what `voltstack up` recorded,
 * acting as the local caller named by `as` (admin by default). `idempotencyKey` is the key
 * of the command's writes (a new UUID per write without it).
 */
export async function connectClient(
  as: string | undefined,
  idempotencyKey?: string,
): Promise<{ client: VoltstackClient; stack?: StackFile }> {
  const keyed = idempotencyKey === undefined ? {} : { idempotencyKey };
  const fromEnv = SERVICE_NAMES.every((name) => process.env[`VOLTSTACK_${name.toUpperCase()}_URL`]);
  if (fromEnv && process.env.VOLTSTACK_API_KEY && !as) {
    const urls = Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, process.env[`VOLTSTACK_${name.toUpperCase()}_URL`]!]),
    ) as Record<ServiceName, string>;
    return { client: new VoltstackClient({ urls, apiKey: process.env.VOLTSTACK_API_KEY, ...keyed }) };
  }
  const notRunning = `No local system found in ${stateDir()}: start it with \`npm start\` (or set VOLTSTACK_<SERVICE>_URL and VOLTSTACK_API_KEY).`;
  const stack = await readJson<StackFile>(join(stateDir(), "stack.json"), notRunning);
  const credentials = await readJson<LocalCredential[]>(join(stateDir(), "credentials.json"), notRunning);
  const name = as ?? "admin";
  const credential = credentials.find((candidate) => candidate.name === name);
  if (!credential) {
    throw new CliUsageError(
      "UNKNOWN_CALLER",
      `No local caller named ${name}; the callers are ${credentials.map((candidate) => candidate.name).join(", ")}.`,
    );
  }
  return { client: new VoltstackClient({ urls: stack.urls, apiKey: credential.apiKey, ...keyed }), stack };
}

/** The local callers' credentials, for commands that act as several of them (the demo). */
export async function localCredentials(): Promise<LocalCredential[]> {
  return readJson<LocalCredential[]>(
    join(stateDir(), "credentials.json"),
    `No local credentials in ${stateDir()}: start the system with \`npm start\`.`,
  );
}
