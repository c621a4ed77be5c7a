// `voltstack deploy`: publishes the project's contracts on a network, in
// dependency order, as signed Clarity-versioned contract-deploy transactions, one
// at a time, each waited for until the API reports it mined, and records the
// result in deployments/<network>.json. Re-running it is safe: contracts the node
// already holds with the same source are left alone, and a different source under
// one of the names stops everything before any fee is spent.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  estimateTransactionByteLength,
  makeContractDeploy,
  PostConditionMode,
  serializePayload,
  type StacksTransactionWire,
} from "@stacks/transactions";
import {
  type ApiTransaction,
  BroadcastRejectedError,
  broadcastBackoffMs,
  ChainError,
  DEFAULT_BROADCAST_RETRY,
  DEFAULT_URLS,
  type DeployedContract,
  type DeploymentRecord,
  type NetworkName,
  parseDeploymentRecord,
  retryableBroadcastFailure,
  sourceSha256,
  StacksApi,
} from "@voltstack/chain";
import { readContractSources, type ContractSource } from "./contract-sources.js";
import { checkDeployCosts, measureDeployCosts, type DeployCost } from "./deploy-costs.js";
import { DeployError } from "./deploy-error.js";
import { readDeployerKey } from "./deployer-key.js";

/** 5 STX: far above what a contract of this size costs, low enough to stop a runaway estimate. */
export const DEFAULT_MAX_FEE_USTX = 5_000_000n;
/** The API is asked for a transaction's state this often: polite to a hosted API's rate limit. */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** Nakamoto blocks come every few seconds; a deployment still pending after this is stuck. */
export const DEFAULT_CONFIRM_TIMEOUT_MS = 30 * 60_000;

const DROPPED_AFTER_UNKNOWN_POLLS = 5;
const NETWORK_IDS: Record<NetworkName, number> = { mainnet: 1, testnet: 0x80000000, devnet: 0x80000000 };

export interface DeployOptions {
  network: NetworkName;
  keyFile: string;
  /** Default: the network's usual API (DEFAULT_URLS). */
  apiUrl?: string;
  /** Dry run: report what would be done, send and write nothing. */
  plan?: boolean;
  /** The repository root (Clarinet.toml, contracts/, deployments/). */
  root: string;
  /** Default `<root>/deployments/<network>.json`. */
  recordPath?: string;
  maxFeeUstx?: bigint;
  pollIntervalMs?: number;
  confirmTimeoutMs?: number;
  /** Sent as `x-api-key` (a hosted API's key). */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Runs `work` while telling the operator what it waits for. */
  progress?: <T>(label: string, work: () => Promise<T>) => Promise<T>;
  note?: (line: string) => void;
}

export type ContractState = "deployed" | "to-deploy" | "deployed-now";

export interface ContractReport {
  name: string;
  contractId: string;
  clarityVersion: number;
  sourceSha256: string;
  state: ContractState;
  /** What the deployment pays (to deploy) or paid (deployed now), micro-STX. */
  feeUstx?: string;
  nonce?: string;
  txid?: string | null;
  blockHeight?: number;
}

export interface DeployReport {
  network: NetworkName;
  apiUrl: string;
  deployer: string;
  plan: boolean;
  recordPath: string;
  /** Whether the record file was (or, with --plan, would be) written. */
  recordWritten: boolean;
  costs: DeployCost[];
  contracts: ContractReport[];
}

interface Prepared {
  contract: ContractSource;
  transaction: StacksTransactionWire;
  feeUstx: bigint;
  nonce: bigint;
}

function readExistingRecord(path: string, network: NetworkName, deployer: string): DeploymentRecord | undefined {
  if (!existsSync(path)) return undefined;
  let record: DeploymentRecord;
  try {
    record = parseDeploymentRecord(readFileSync(path, "utf8"), path);
  } catch (error) {
    if (error instanceof ChainError) throw new DeployError(error.code, error.message, error.details);
    throw error;
  }
  if (record.network !== network || record.deployer !== deployer) {
    throw new DeployError(
      "DEPLOYMENT_RECORD_CONFLICT",
      `${path} records the ${record.network} deployment of ${record.deployer}; this deployment is ${deployer} on ` +
        `${network}. Pass --record <file> to keep both.`,
      { path, recorded: { network: record.network, deployer: record.deployer }, requested: { network, deployer } },
    );
  }
  return record;
}

function writeRecord(path: string, record: DeploymentRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

async function build(
  contract: ContractSource,
  privateKey: string,
  network: NetworkName,
  apiUrl: string,
  nonce: bigint,
  feeUstx: bigint,
): Promise<StacksTransactionWire> {
  return makeContractDeploy({
    contractName: contract.name,
    codeBody: contract.source,
    clarityVersion: contract.clarityVersion,
    senderKey: privateKey,
    network,
    client: { baseUrl: apiUrl },
    nonce,
    fee: feeUstx,
    // A deployment moves no asset; Deny makes sure of it.
    postConditionMode: PostConditionMode.Deny,
    postConditions: [],
  });
}

async function waitForConfirmation(
  api: StacksApi,
  txid: string,
  name: string,
  pollIntervalMs: number,
  timeoutMs: number,
): Promise<ApiTransaction & { block_height: number }> {
  const deadline = Date.now() + timeoutMs;
  let seen = false;
  let unknownSinceSeen = 0;
  for (;;) {
    const state = await api.getTransaction(txid, 0);
    seen ||= state !== null;
    unknownSinceSeen = seen && state === null ? unknownSinceSeen + 1 : 0;
    const status = state?.tx_status;
    if (status === "success" && state?.block_height !== undefined)
      return { ...state, block_height: state.block_height };
    if (state && status && (status.startsWith("abort_") || status === "problematic_skipped")) {
      const vmError = state.vm_error ?? undefined;
      throw new DeployError(
        "DEPLOY_TRANSACTION_FAILED",
        `Deploying ${name} failed on chain (${status}${vmError ? `: ${vmError}` : ""}); ` +
          "its fee is spent and the contracts after it were not sent.",
        { contract: name, txid, status, vmError, result: state.tx_result?.repr },
      );
    }
    // The v3 route answers 404 for a transaction dropped from the mempool (the API prunes it);
    // a few answers in a row tell that apart from an API node that lags behind another.
    if (status?.startsWith("dropped_") || unknownSinceSeen >= DROPPED_AFTER_UNKNOWN_POLLS) {
      throw new DeployError(
        "DEPLOY_TRANSACTION_DROPPED",
        `The deployment of ${name} was dropped from the mempool (${status ?? "no longer known to the API"}); ` +
          "run the command again.",
        { contract: name, txid, status: status ?? "unknown" },
      );
    }
    if (Date.now() >= deadline) {
      throw new DeployError(
        "DEPLOY_CONFIRMATION_TIMEOUT",
        `The deployment of ${name} (txid ${txid}) is not mined after ${Math.round(timeoutMs / 1000)} s. It may still ` +
          "be: run the command again later, it picks up what is deployed.",
        { contract: name, txid, status: status ?? "unknown" },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/**
 * Broadcasts a signed deployment, sending the same bytes again (idempotent: same txid and
 * nonce) while the node cannot take it for now: blacklisted, 429 or 5xx.
 */
async function broadcast(api: StacksApi, txHex: string): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api.broadcast(txHex);
    } catch (error) {
      if (retryableBroadcastFailure(error) && attempt < DEFAULT_BROADCAST_RETRY.attempts) {
        await new Promise((resolve) =>
          setTimeout(resolve, broadcastBackoffMs(DEFAULT_BROADCAST_RETRY, attempt, Math.random)),
        );
        continue;
      }
      if (!(error instanceof BroadcastRejectedError)) throw error;
      throw new DeployError("DEPLOY_BROADCAST_REJECTED", `The node refused the deployment: ${error.reason}.`, {
        reason: error.reason,
        reasonData: error.reasonData,
        status: error.status,
      });
    }
  }
}

export async function deployContracts(options: DeployOptions): Promise<DeployReport> {
  const { network, root } = options;
  const plan = options.plan === true;
  const apiUrl = (options.apiUrl ?? DEFAULT_URLS[network]).replace(/\/+$/, "");
  const recordPath = options.recordPath ?? join(root, "deployments", `${network}.json`);
  const maxFeeUstx = options.maxFeeUstx ?? DEFAULT_MAX_FEE_USTX;
  const progress = options.progress ?? ((_label, work) => work());
  const note = options.note ?? (() => undefined);

  const contracts = readContractSources(root);
  const key = readDeployerKey(options.keyFile, network);
  if (key.readableByOthers) note(`warning: ${options.keyFile} is readable by other users; chmod 600 it.`);
  const existing = readExistingRecord(recordPath, network, key.address);

  const costs = await progress("Measuring each deployment's cost in a simnet", () =>
    measureDeployCosts(root, contracts),
  );
  checkDeployCosts(costs);

  // Waiting out a hosted API's 429s slows a deployment down instead of failing it.
  const api = new StacksApi({
    url: apiUrl,
    requestTimeoutMs: 30_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  const { networkId } = await api.getNodeInfo();
  if (networkId !== NETWORK_IDS[network]) {
    throw new DeployError(
      "NETWORK_MISMATCH",
      `${apiUrl} serves network id ${networkId}, not ${network} (${NETWORK_IDS[network]}).`,
      { apiUrl, networkId, network },
    );
  }

  // What the node holds under each name decides everything else: compare all before sending anything.
  const onChain = new Map<string, { publishHeight: number }>();
  const mismatches: Record<string, string>[] = [];
  for (const contract of contracts) {
    const deployed = await api.getContractSource(key.address, contract.name);
    if (!deployed) continue;
    const deployedSha256 = sourceSha256(deployed.source);
    if (deployedSha256 !== contract.sourceSha256) {
      mismatches.push({
        contract: contract.name,
        contractId: `${key.address}.${contract.name}`,
        deployedSha256,
        localSha256: contract.sourceSha256,
      });
    } else {
      onChain.set(contract.name, { publishHeight: deployed.publishHeight });
    }
  }
  if (mismatches.length > 0) {
    const first = mismatches[0]!;
    throw new DeployError(
      "CONTRACT_SOURCE_MISMATCH",
      `${first.contractId} is already deployed with another source (sha256 ${first.deployedSha256}) than ` +
        `${first.contract}.clar here (sha256 ${first.localSha256}); a contract cannot be replaced: deploy under ` +
        "another deployer key, or check out the sources that were deployed.",
      { mismatches },
    );
  }

  const missing = contracts.filter((contract) => !onChain.has(contract.name));
  const prepared: Prepared[] = [];
  if (missing.length > 0) {
    const nonces = await api.getNonces(key.address);
    if (nonces.lastMempoolTxNonce !== null) {
      // One of them may be an earlier run's deployment still on its way: sending again would pay twice.
      const from = nonces.lastExecutedTxNonce === null ? 0n : nonces.lastExecutedTxNonce + 1n;
      const pending = Array.from({ length: Number(nonces.lastMempoolTxNonce - from + 1n) }, (_, i) => from + BigInt(i));
      throw new DeployError(
        "DEPLOYER_HAS_PENDING_TRANSACTIONS",
        `${key.address} has transaction(s) in the mempool (nonces ${pending.join(", ")}); ` +
          "wait until they are mined or dropped.",
        { deployer: key.address, pendingNonces: pending.map(String) },
      );
    }
    let nonce = nonces.possibleNextNonce;
    for (const contract of missing) {
      const draft = await build(contract, key.privateKey, network, apiUrl, nonce, 0n);
      const byteLength = estimateTransactionByteLength(draft);
      const estimate = await api.estimateFee(serializePayload(draft.payload), byteLength);
      // A node relays nothing below 1 µSTX per byte.
      const feeUstx = estimate !== undefined && estimate > BigInt(byteLength) ? estimate : BigInt(byteLength);
      if (feeUstx > maxFeeUstx) {
        throw new DeployError(
          "FEE_ABOVE_CEILING",
          `The node estimates ${feeUstx} µSTX to deploy ${contract.name}, above the ceiling of ${maxFeeUstx} µSTX ` +
            "(--max-fee-ustx).",
          { contract: contract.name, feeUstx: String(feeUstx), maxFeeUstx: String(maxFeeUstx) },
        );
      }
      prepared.push({
        contract,
        feeUstx,
        nonce,
        transaction: await build(contract, key.privateKey, network, apiUrl, nonce, feeUstx),
      });
      nonce += 1n;
    }
    const totalFeeUstx = prepared.reduce((sum, entry) => sum + entry.feeUstx, 0n);
    const { balanceUstx } = await api.getAccount(key.address);
    if (balanceUstx < totalFeeUstx) {
      throw new DeployError(
        "INSUFFICIENT_FUNDS",
        `${key.address} holds ${balanceUstx} µSTX; deploying ${missing.length} contract(s) costs ${totalFeeUstx} µSTX.`,
        { deployer: key.address, balanceUstx: String(balanceUstx), totalFeeUstx: String(totalFeeUstx) },
      );
    }
  }

  const record: DeploymentRecord = {
    network,
    deployer: key.address,
    ...(options.apiUrl ? { apiUrl } : {}),
    contracts: {},
    deployedAt: existing?.deployedAt ?? new Date().toISOString(),
  };
  const entryOf = (contract: ContractSource): DeployedContract | undefined => {
    const chained = onChain.get(contract.name);
    if (!chained) return undefined;
    const known = existing?.contracts[contract.name];
    if (known && known.sourceSha256 === contract.sourceSha256) return known;
    // Deployed by an earlier run that did not record it (or by hand): the node knows the block, not the transaction.
    return {
      contractId: `${key.address}.${contract.name}`,
      txid: null,
      blockHeight: chained.publishHeight,
      sourceSha256: contract.sourceSha256,
      clarityVersion: contract.clarityVersion,
    };
  };
  for (const contract of contracts) {
    const entry = entryOf(contract);
    if (entry) record.contracts[contract.name] = entry;
  }
  const recordChanged = JSON.stringify(existing?.contracts ?? null) !== JSON.stringify(record.contracts);

  const reports = new Map<string, ContractReport>(
    contracts.map((contract) => {
      const entry = record.contracts[contract.name];
      const ready = prepared.find((candidate) => candidate.contract === contract);
      return [
        contract.name,
        {
          name: contract.name,
          contractId: `${key.address}.${contract.name}`,
          clarityVersion: contract.clarityVersion,
          sourceSha256: contract.sourceSha256,
          state: entry ? "deployed" : "to-deploy",
          ...(entry ? { txid: entry.txid, blockHeight: entry.blockHeight } : {}),
          ...(ready ? { feeUstx: String(ready.feeUstx), nonce: String(ready.nonce) } : {}),
        },
      ];
    }),
  );
  const report = (): DeployReport => ({
    network,
    apiUrl,
    deployer: key.address,
    plan,
    recordPath,
    recordWritten: recordChanged || prepared.length > 0,
    costs,
    contracts: contracts.map((contract) => reports.get(contract.name)!),
  });
  if (plan) return report();

  if (recordChanged && prepared.length === 0) writeRecord(recordPath, record);
  for (const { contract, transaction, feeUstx, nonce } of prepared) {
    const txid = await broadcast(api, transaction.serialize());
    const mined = await progress(`Deploying ${contract.name} (txid ${txid})`, () =>
      waitForConfirmation(
        api,
        txid,
        contract.name,
        options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
        options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS,
      ),
    );
    record.contracts[contract.name] = {
      contractId: `${key.address}.${contract.name}`,
      txid,
      blockHeight: mined.block_height,
      sourceSha256: contract.sourceSha256,
      clarityVersion: contract.clarityVersion,
    };
    record.deployedAt = new Date().toISOString();
    // Written after each contract, so a failure later leaves an accurate record of what is on chain.
    writeRecord(recordPath, record);
    reports.set(contract.name, {
      ...reports.get(contract.name)!,
      state: "deployed-now",
      feeUstx: String(feeUstx),
      nonce: String(nonce),
      txid,
      blockHeight: mined.block_height,
    });
  }
  return report();
}
