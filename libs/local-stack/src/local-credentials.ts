import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { DevnetAccount } from "@voltstack/devnet";
import { hashApiKey, type Role } from "@voltstack/service-kit";
import type { CallerSpec } from "./external-chain.js";

/** One caller of the local system: an API key, its role and the principal it acts for. */
export interface LocalCredential {
  name: string;
  role: Role;
  principal: string;
  apiKey: string;
}

/**
 * Who uses the local system and which devnet account each acts as. The services hold the
 * keys of these accounts (custodial signing), so every role can act over HTTP alone.
 */
export const LOCAL_CALLERS = [
  { name: "admin", role: "admin", account: "deployer" },
  { name: "owner-1", role: "owner", account: "wallet_1" },
  { name: "owner-2", role: "owner", account: "wallet_2" },
  { name: "operator", role: "operator", account: "wallet_8" },
] as const satisfies readonly { name: string; role: Role; account: string }[];

/** Stakeholders of the demo's facility: they receive revenue and sign nothing. */
export const LOCAL_STAKEHOLDER_ACCOUNTS = ["wallet_3", "wallet_4", "wallet_5"] as const;

function newApiKey(name: string): string {
  return `vsk_${name.replace(/-/g, "")}_${randomBytes(32).toString("hex")}`;
}

/** The local callers as devnet accounts: who `npm start` gives API keys to on its own devnet. */
export function devnetCallers(accounts: Map<string, DevnetAccount>): CallerSpec[] {
  return LOCAL_CALLERS.map(({ name, role, account }) => {
    const found = accounts.get(account);
    if (!found) throw new Error(`The devnet has no account ${account}.`);
    return { name, role, principal: found.address };
  });
}

export function createCredentials(callers: readonly CallerSpec[]): LocalCredential[] {
  return callers.map(({ name, role, principal }) => ({ name, role, principal, apiKey: newApiKey(name) }));
}

/**
 * The credentials kept in `path` (mode 0600) from an earlier start, or new ones written
 * there: API keys stay the same across restarts, so scripts and the CLI keep working.
 */
export async function loadOrCreateCredentials(
  path: string,
  callers: readonly CallerSpec[],
): Promise<LocalCredential[]> {
  try {
    const stored = JSON.parse(await readFile(path, "utf8")) as LocalCredential[];
    const matches =
      stored.length === callers.length &&
      callers.every((wanted) =>
        stored.some(
          (kept) => kept.name === wanted.name && kept.role === wanted.role && kept.principal === wanted.principal,
        ),
      );
    if (matches) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const fresh = createCredentials(callers);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return fresh;
}

/** The AUTH_API_KEYS value every service is started with: hashes only, never the keys. */
export function authApiKeys(credentials: readonly LocalCredential[]): string {
  return JSON.stringify(
    credentials.map(({ name, role, principal, apiKey }) => ({
      name,
      sha256: hashApiKey(apiKey),
      role,
      principals: [principal],
    })),
  );
}
