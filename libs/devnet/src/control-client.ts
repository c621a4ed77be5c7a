// A typed client for the /devnet control routes, for tests that reach a devnet
// over HTTP (started by another process, say) rather than through startDevnet's
// handle.
import type { DevnetFaults, FaultSnapshot } from "./faults.js";
import type { ForkOptions, ForkResult } from "./fork.js";

export interface DevnetControl {
  /** Current fault switches. */
  faults(): Promise<FaultSnapshot>;
  /** Sets the given switches (others keep their value); resolves to the new state. */
  setFaults(faults: DevnetFaults): Promise<FaultSnapshot>;
  /** Switches every fault off. */
  resetFaults(): Promise<FaultSnapshot>;
  /** Evicts a pending transaction (dropped_stale_garbage_collect); false when it was not pending. */
  dropTransaction(txid: string): Promise<boolean>;
  /** Mines one block; resolves to its height. */
  mineBlock(): Promise<number>;
  /** Orphans the top `depth` blocks and mines a longer branch (POST /devnet/fork); rejects on a refused request. */
  fork(options: ForkOptions): Promise<ForkResult>;
}

export function devnetControl(baseUrl: string): DevnetControl {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as T;
    if (response.status >= 400 && response.status !== 404)
      throw new Error(`devnet ${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
    return { status: response.status, json };
  };
  return {
    faults: async () => (await call<FaultSnapshot>("GET", "/devnet/faults")).json,
    setFaults: async (faults) => (await call<FaultSnapshot>("POST", "/devnet/faults", faults)).json,
    resetFaults: async () => (await call<FaultSnapshot>("DELETE", "/devnet/faults")).json,
    dropTransaction: async (txid) =>
      (await call("POST", "/devnet/mempool/drop", { tx_id: txid.startsWith("0x") ? txid : `0x${txid}` })).status ===
      200,
    mineBlock: async () => (await call<{ height: number }>("POST", "/devnet/mine")).json.height,
    fork: async (options) => (await call<ForkResult>("POST", "/devnet/fork", options)).json,
  };
}
