// The devnet's funded accounts, from settings/Devnet.toml next to the manifest.
// Devnet.toml holds BIP39 mnemonics; a Stacks wallet's first key is derived on
// the BIP32 path m/44'/5757'/0'/0/0, and the address derived from it must equal
// the address the simnet funded, which is checked so a wrong derivation fails loudly.
import { createHmac, pbkdf2Sync } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddressFromPrivateKey, privateKeyToPublic } from "@stacks/transactions";
import { parse } from "smol-toml";

export interface DevnetAccount {
  address: string;
  /** Hex private key with the `01` compression suffix, as @stacks/transactions expects. */
  secretKey: string;
}

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HARDENED = 0x80000000;
const STACKS_PATH = [44 + HARDENED, 5757 + HARDENED, 0 + HARDENED, 0];

function hex32(value: bigint): string {
  return value.toString(16).padStart(64, "0");
}

/** The key of a Stacks wallet's account `index` (m/44'/5757'/0'/0/index); 0 is the one Devnet.toml funds. */
export function deriveSecretKey(mnemonic: string, index = 0): string {
  const seed = pbkdf2Sync(
    Buffer.from(mnemonic.normalize("NFKD"), "utf8"),
    Buffer.from("mnemonic", "utf8"),
    2048,
    64,
    "sha512",
  );
  let node = createHmac("sha512", "Bitcoin seed").update(seed).digest();
  let key = BigInt(`0x${node.subarray(0, 32).toString("hex")}`);
  let chainCode = node.subarray(32);
  for (const step of [...STACKS_PATH, index]) {
    const indexBytes = Buffer.alloc(4);
    indexBytes.writeUInt32BE(step);
    const data =
      step >= HARDENED
        ? Buffer.concat([Buffer.alloc(1), Buffer.from(hex32(key), "hex"), indexBytes])
        : Buffer.concat([Buffer.from(privateKeyToPublic(`${hex32(key)}01`) as string, "hex"), indexBytes]);
    node = createHmac("sha512", chainCode).update(data).digest();
    key = (BigInt(`0x${node.subarray(0, 32).toString("hex")}`) + key) % CURVE_ORDER;
    chainCode = node.subarray(32);
  }
  return `${hex32(key)}01`;
}

type DevnetToml = { accounts?: Record<string, { mnemonic?: string }> };

/** The mnemonic settings/Devnet.toml (next to the manifest) gives account `name`. */
export function devnetMnemonic(manifestPath: string, name: string): string {
  const settingsPath = join(dirname(manifestPath), "settings", "Devnet.toml");
  const settings = parse(readFileSync(settingsPath, "utf8")) as DevnetToml;
  const mnemonic = settings.accounts?.[name]?.mnemonic;
  if (!mnemonic) throw new Error(`settings/Devnet.toml has no mnemonic for account ${name}.`);
  return mnemonic;
}

/** Reads the accounts of settings/Devnet.toml and checks each against the simnet's funded address. */
export function loadDevnetAccounts(
  manifestPath: string,
  simnetAddresses: Map<string, string>,
): Map<string, DevnetAccount> {
  const settingsPath = join(dirname(manifestPath), "settings", "Devnet.toml");
  const settings = parse(readFileSync(settingsPath, "utf8")) as DevnetToml;
  const accounts = new Map<string, DevnetAccount>();
  for (const [name, entry] of Object.entries(settings.accounts ?? {})) {
    if (!entry.mnemonic) continue;
    const secretKey = deriveSecretKey(entry.mnemonic);
    const address = getAddressFromPrivateKey(secretKey, "testnet");
    const funded = simnetAddresses.get(name);
    if (funded !== undefined && funded !== address) {
      throw new Error(
        `ACCOUNT_DERIVATION_MISMATCH: account ${name} derives to ${address} but the simnet funded ${funded}`,
      );
    }
    accounts.set(name, { address, secretKey });
  }
  return accounts;
}
