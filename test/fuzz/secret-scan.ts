import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { parse as parseToml } from "smol-toml";
import type { Stack } from "@voltstack/local-stack";

/** A value nobody but its holder may see, and the name a report uses instead of it. */
export interface Secret {
  name: string;
  value: string;
}

/** Where a secret was seen: a file and line, an event, a response. Never the secret itself. */
export interface SecretLeak {
  where: string;
  line: number;
  secret: string;
}

const DEVNET_SETTINGS = fileURLToPath(new URL("../../settings/Devnet.toml", import.meta.url));

/** The devnet accounts' mnemonics: public for the devnet, but exactly what must never reach a log elsewhere. */
export async function devnetMnemonics(): Promise<Secret[]> {
  const settings = parseToml(await readFile(DEVNET_SETTINGS, "utf8")) as {
    accounts?: Record<string, { mnemonic?: string }>;
  };
  return Object.entries(settings.accounts ?? {}).flatMap(([account, { mnemonic }]) =>
    mnemonic ? [{ name: `mnemonic of ${account}`, value: mnemonic }] : [],
  );
}

// A Stacks private key is 32 bytes of hex, with a 01 suffix when it signs for a compressed public key.
const PRIVATE_KEY = /^[0-9a-f]{64}(01)?$/i;

/**
 * Every secret a stack was configured with: the signer keys of every service (both
 * spellings of each), the local callers' API keys, STACKS_API_KEY, and the mnemonics.
 */
export async function stackSecrets(stack: Stack): Promise<Secret[]> {
  const secrets = new Map<string, Secret>();
  const add = (name: string, value: string) => secrets.set(value.toLowerCase(), { name, value: value.toLowerCase() });
  for (const service of Object.keys(stack.services) as (keyof Stack["services"])[]) {
    const env = stack.serviceEnv(service);
    const keySources = JSON.parse(env.SIGNER_KEYS ?? "[]") as { privateKeyEnv?: string }[];
    const keyVariables = new Set(keySources.flatMap((source) => (source.privateKeyEnv ? [source.privateKeyEnv] : [])));
    for (const [variable, value] of Object.entries(env)) {
      if (!keyVariables.has(variable) && !variable.startsWith("SIGNER_KEY_")) continue;
      if (!PRIVATE_KEY.test(value)) continue;
      add(variable, value);
      add(variable, value.slice(0, 64));
    }
    if (env.STACKS_API_KEY) add("STACKS_API_KEY", env.STACKS_API_KEY);
  }
  for (const credential of stack.credentials) add(`API key of ${credential.name}`, credential.apiKey);
  for (const mnemonic of await devnetMnemonics()) add(mnemonic.name, mnemonic.value);
  return [...secrets.values()];
}

/** The secrets `text` holds, line by line (case-insensitive: hex may be printed in either case). */
export function findSecrets(where: string, text: string, secrets: readonly Secret[]): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  const lower = text.toLowerCase();
  if (!secrets.some((secret) => lower.includes(secret.value))) return leaks;
  lower.split("\n").forEach((line, index) => {
    for (const secret of secrets) {
      if (line.includes(secret.value)) leaks.push({ where, line: index + 1, secret: secret.name });
    }
  });
  return leaks;
}

export async function findSecretsInFiles(paths: readonly string[], secrets: readonly Secret[]): Promise<SecretLeak[]> {
  const leaks: SecretLeak[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    leaks.push(...findSecrets(path, text, secrets));
  }
  return leaks;
}

/**
 * Reads every message of the streams under `subjectPrefix` (payload and headers) and
 * reports the ones holding a secret as `<stream> seq <n>`.
 */
export async function findSecretsInStreams(
  natsUrl: string,
  subjectPrefix: string,
  secrets: readonly Secret[],
): Promise<{ leaks: SecretLeak[]; messagesRead: number }> {
  const nats = await connect({ servers: natsUrl, name: "voltstack-secret-scan" });
  const leaks: SecretLeak[] = [];
  let messagesRead = 0;
  try {
    const jsm = await jetstreamManager(nats);
    for await (const info of jsm.streams.list()) {
      if (!info.config.subjects?.some((subject) => subject.startsWith(subjectPrefix))) continue;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
        const message = await jsm.streams.getMessage(info.config.name, { seq }).catch(() => undefined);
        if (!message) continue; // deleted by a limit or a purge
        messagesRead += 1;
        const headers = [...(message.header?.keys() ?? [])].map((key) => `${key}: ${message.header!.get(key)}`);
        const text = `${headers.join("\n")}\n${new TextDecoder().decode(message.data)}`;
        for (const leak of findSecrets(`${info.config.name} seq ${seq}`, text, secrets)) leaks.push(leak);
      }
    }
  } finally {
    await nats.close();
  }
  return { leaks, messagesRead };
}

/** One line per leak, naming the secret by what it is: a report must not leak it again. */
export function describeLeaks(leaks: readonly SecretLeak[]): string {
  return leaks.map((leak) => `${leak.where}:${leak.line} holds the ${leak.secret}`).join("\n");
}
