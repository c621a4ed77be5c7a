// The deployment record (`deployments/<network>.json`, written by `voltstack deploy`):
// which deployer published the contracts on a network, in which transactions and
// blocks, and the SHA-256 of each contract's source as deployed. Services read it to
// find their contracts and the height to follow them from, and refuse to run against
// sources other than the ones they were built with: their decoders, error tables
// and post-conditions are written for exactly those contracts.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChainError } from "./chain-error.js";
import { CONTRACT_KEYS } from "./contract-names.js";
import type { NetworkName } from "./network-config.js";

export interface DeployedContract {
  /** `deployer.name` */
  contractId: string;
  /** Null when the contract was found already deployed and the transaction is not known. */
  txid: string | null;
  /** The Stacks block that holds the deployment. */
  blockHeight: number;
  /** SHA-256 of the source as deployed (UTF-8), 64 lower-case hex digits. */
  sourceSha256: string;
  clarityVersion: number;
}

export interface DeploymentRecord {
  network: NetworkName;
  deployer: string;
  /** The API the deployment went through, when it was not the network's usual one. */
  apiUrl?: string;
  contracts: Record<string, DeployedContract>;
  /** ISO 8601, when the record last changed. */
  deployedAt: string;
}

const NETWORKS: readonly NetworkName[] = ["devnet", "testnet", "mainnet"];
// Mainnet addresses start SP (single-sig) or SM (multi-sig); testnet and devnet ST or SN.
const ADDRESS_PREFIX: Record<NetworkName, RegExp> = { mainnet: /^S[PM]/, testnet: /^S[TN]/, devnet: /^S[TN]/ };
const ADDRESS = /^S[PMTN][0-9A-HJKMNP-TV-Z]{38,40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const TXID = /^[0-9a-f]{64}$/;

/** SHA-256 of a contract source, hex: what the record keeps and what the node's source route is compared with. */
export function sourceSha256(source: string | Uint8Array): string {
  return createHash("sha256").update(source).digest("hex");
}

/** The repository's contracts/ folder: the sources a service built from this tree ships with. */
export function defaultContractsDir(): string {
  return fileURLToPath(new URL("../../../contracts/", import.meta.url));
}

function invalid(origin: string, problem: string): ChainError {
  return new ChainError("DEPLOYMENT_RECORD_INVALID", `${origin} is not a valid deployment record: ${problem}.`, {
    origin,
    problem,
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseContract(origin: string, name: string, value: unknown, deployer: string): DeployedContract {
  const where = `contracts["${name}"]`;
  if (!isObject(value)) throw invalid(origin, `${where} must be an object`);
  const { contractId, txid, blockHeight, sourceSha256: hash, clarityVersion } = value;
  if (contractId !== `${deployer}.${name}`) throw invalid(origin, `${where}.contractId must be "${deployer}.${name}"`);
  if (txid !== null && (typeof txid !== "string" || !TXID.test(txid.replace(/^0x/, "")))) {
    throw invalid(origin, `${where}.txid must be a transaction id (64 hex digits) or null`);
  }
  if (typeof blockHeight !== "number" || !Number.isSafeInteger(blockHeight) || blockHeight < 0) {
    throw invalid(origin, `${where}.blockHeight must be a non-negative whole number`);
  }
  if (typeof hash !== "string" || !SHA256.test(hash)) {
    throw invalid(origin, `${where}.sourceSha256 must be 64 lower-case hex digits`);
  }
  if (typeof clarityVersion !== "number" || !Number.isInteger(clarityVersion) || clarityVersion < 1) {
    throw invalid(origin, `${where}.clarityVersion must be a positive whole number`);
  }
  return {
    contractId,
    txid: txid === null ? null : txid.replace(/^0x/, ""),
    blockHeight,
    sourceSha256: hash,
    clarityVersion,
  };
}

/** Parses and checks a record's JSON; `origin` names it in errors (a path, usually). */
export function parseDeploymentRecord(text: string, origin = "the deployment record"): DeploymentRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(origin, "it is not JSON");
  }
  if (!isObject(json)) throw invalid(origin, "it must be a JSON object");
  const { network, deployer, apiUrl, contracts, deployedAt } = json;
  if (typeof network !== "string" || !NETWORKS.includes(network as NetworkName)) {
    throw invalid(origin, `network must be one of ${NETWORKS.join(", ")}`);
  }
  const name = network as NetworkName;
  if (typeof deployer !== "string" || !ADDRESS.test(deployer))
    throw invalid(origin, "deployer must be a Stacks address");
  if (!ADDRESS_PREFIX[name].test(deployer)) throw invalid(origin, `deployer ${deployer} is not a ${name} address`);
  if (apiUrl !== undefined && (typeof apiUrl !== "string" || !/^https?:\/\//.test(apiUrl))) {
    throw invalid(origin, "apiUrl must be an http(s) URL when present");
  }
  if (!isObject(contracts)) throw invalid(origin, "contracts must be an object");
  if (typeof deployedAt !== "string" || Number.isNaN(Date.parse(deployedAt))) {
    throw invalid(origin, "deployedAt must be an ISO 8601 time");
  }
  const parsed: Record<string, DeployedContract> = {};
  for (const [contract, entry] of Object.entries(contracts)) {
    parsed[contract] = parseContract(origin, contract, entry, deployer);
  }
  return {
    network: name,
    deployer,
    ...(apiUrl === undefined ? {} : { apiUrl: apiUrl as string }),
    contracts: parsed,
    deployedAt,
  };
}

/** Reads and checks the record at `path`. */
export function readDeploymentRecord(path: string): DeploymentRecord {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ChainError(
      "DEPLOYMENT_RECORD_UNREADABLE",
      `The deployment record ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      { path },
      { cause: error },
    );
  }
  return parseDeploymentRecord(text, path);
}

/**
 * Refuses a record that lacks one of `contracts` or whose deployed source differs
 * from the file `<contractsDir>/<name>.clar` this code ships with.
 */
export function checkDeployedSources(
  record: DeploymentRecord,
  options: { contractsDir?: string; contracts?: readonly string[] } = {},
): void {
  const contractsDir = options.contractsDir ?? defaultContractsDir();
  for (const name of options.contracts ?? CONTRACT_KEYS) {
    const deployed = record.contracts[name];
    if (!deployed) {
      throw new ChainError(
        "DEPLOYMENT_RECORD_INCOMPLETE",
        `The ${record.network} deployment record has no entry for ${name}: deploy it with \`npx voltstack deploy\`.`,
        { network: record.network, contract: name },
      );
    }
    const shippedSha256 = sourceSha256(readFileSync(join(contractsDir, `${name}.clar`)));
    if (shippedSha256 !== deployed.sourceSha256) {
      throw new ChainError(
        "DEPLOYED_SOURCE_MISMATCH",
        `${deployed.contractId} on ${record.network} was deployed from another source (sha256 ${deployed.sourceSha256}) ` +
          `than the ${name}.clar this build ships (sha256 ${shippedSha256}): run the build that matches the deployment, ` +
          "or deploy these contracts under a new deployer.",
        { contract: name, contractId: deployed.contractId, deployedSha256: deployed.sourceSha256, shippedSha256 },
      );
    }
  }
}

/** The lowest block holding one of the record's contracts: no event of them can come earlier. */
export function deploymentStartHeight(record: DeploymentRecord): number {
  const heights = Object.values(record.contracts).map((contract) => contract.blockHeight);
  return heights.length === 0 ? 0 : Math.min(...heights);
}
