// @voltstack/devnet: a local development chain. It serves the subset of the
// Stacks node and Stacks Blockchain API endpoints that @stacks/transactions and
// @stacks/network use, backed by the Clarinet SDK's simnet (the real Clarity VM)
// with the project's contracts deployed. It is not a Stacks node.
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeEmptyProject } from "./contract-deploy.js";
import { loadDevnetAccounts, type DevnetAccount } from "./devnet-accounts.js";
import { DevnetChain } from "./devnet-chain.js";
import { createDevnetServer } from "./http-api.js";
import { FaultState, type DevnetFaults, type FaultSnapshot } from "./faults.js";
import type { ForkOptions, ForkResult } from "./fork.js";

export type { DevnetAccount } from "./devnet-accounts.js";
export { MAX_CHAINED_TRANSACTIONS } from "./mempool.js";
export { ADMIN_KEY_FUNDING_USTX, type AdminKeyOptions, devnetAdminKey, registerDevnetAdmins } from "./admin-keys.js";
export { writeEmptyProject } from "./contract-deploy.js";
export type { DevnetFaults, FaultSnapshot, RateLimitFault } from "./faults.js";
export { devnetControl, type DevnetControl } from "./control-client.js";
export { ForkError, type ForkOptions, type ForkResult } from "./fork.js";

export interface DevnetOptions {
  /** 0 picks a free port; default 3999. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the repository's Clarinet.toml (settings/Devnet.toml next to it supplies the accounts). */
  manifestPath?: string;
  /** Default 1000; 0 mines only when mineBlock() is called. */
  blockIntervalMs?: number;
  /** When set, accepted transactions are logged here and replayed on start. */
  dataDir?: string;
  /** Floor of the fee a transaction must pay; the node's rule of 1 µSTX per byte applies on top. Default 180. */
  minFeeUstx?: bigint;
  /** Where mining and server failures are reported; default console.error. */
  onError?: (error: unknown) => void;
  /**
   * Starts a chain with the manifest's accounts funded and none of its contracts
   * deployed, at the epoch they need, so they can be deployed by transactions.
   * The generated project lives in `<dataDir>/project` (or a temporary directory).
   */
  empty?: boolean;
  /** Fault modes switched on from the start; see also Devnet.faults and POST /devnet/faults. */
  faults?: DevnetFaults;
}

export interface DevnetFaultControl {
  get(): FaultSnapshot;
  /** Sets the given switches (others keep their value) and returns the new state; throws on a bad value. */
  set(faults: DevnetFaults): FaultSnapshot;
  /** Switches every fault off. */
  reset(): FaultSnapshot;
}

export interface Devnet {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** deployer, wallet_1..8 and faucet from settings/Devnet.toml. */
  accounts: Map<string, DevnetAccount>;
  /** Mines the mempool's ready transactions into one block; resolves to the new block height. */
  mineBlock(): Promise<number>;
  /** Fault modes (rate limit, deprecated routes gone, API index lag). */
  faults: DevnetFaultControl;
  /** Evicts a pending transaction as mempool garbage collection would; false when it was not pending. */
  dropTransaction(txid: string): boolean;
  /**
   * Orphans the top `depth` blocks and mines a competing branch of `blocks`
   * blocks (default depth + 1) that re-includes the `keep` transactions; the
   * other orphaned transactions go back to the mempool. Rejects with a
   * ForkError when the request cannot be honoured.
   */
  fork(options: ForkOptions): Promise<ForkResult>;
  stop(): Promise<void>;
}

export const DEFAULT_DEVNET_PORT = 3999;
const DEFAULT_MIN_FEE_USTX = 180n;

export function defaultManifestPath(): string {
  return fileURLToPath(new URL("../../../Clarinet.toml", import.meta.url));
}

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const projectManifest = options.manifestPath ?? defaultManifestPath();
  const scratchDir =
    options.empty && options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "voltstack-devnet-empty-")) : undefined;
  const manifestPath = options.empty
    ? writeEmptyProject(projectManifest, scratchDir ?? join(options.dataDir!, "project"))
    : projectManifest;
  const onError = options.onError ?? ((error: unknown) => console.error("devnet:", error));
  const chain = await DevnetChain.open({
    manifestPath,
    minFeeUstx: options.minFeeUstx ?? DEFAULT_MIN_FEE_USTX,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  const accounts = loadDevnetAccounts(manifestPath, chain.simnetAccounts);
  const faults = new FaultState(options.faults ?? {});
  const server = createDevnetServer(chain, onError, faults);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_DEVNET_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const intervalMs = options.blockIntervalMs ?? 1000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (!chain.isMining) chain.mineBlock().catch(onError);
        }, intervalMs)
      : undefined;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    accounts,
    mineBlock: () => chain.mineBlock(),
    faults: {
      get: () => faults.snapshot,
      set: (patch) => faults.update(patch),
      reset: () => faults.reset(),
    },
    dropTransaction: (txid) => chain.dropPending(txid.replace(/^0x/i, "").toLowerCase()),
    fork: (forkOptions) => chain.fork(forkOptions),
    stop: () => {
      stopped ??= (async () => {
        if (timer) clearInterval(timer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await chain.drain();
        chain.close();
        if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
