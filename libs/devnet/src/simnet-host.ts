// The simnet the chain currently runs on. The simnet commits a call's effects
// as it runs and has no rollback, so aborts and forks replace it wholesale
// with a fresh one brought to the wanted state; this holds the current one,
// keeps HTTP requests waiting while it is being replaced, and prepares the
// next fresh one in the background.
import type { AbiFunction } from "./abi-arguments.js";
import { createSimnet, type Simnet } from "./simnet-session.js";

export interface ContractInterface {
  functions: AbiFunction[];
  [key: string]: unknown;
}

export class SimnetHost {
  private interfaceCache: Map<string, ContractInterface> | undefined;
  private rebuilding: Promise<void> | undefined;
  private spare: Promise<Simnet> | undefined;
  private closed = false;

  constructor(
    private current: Simnet,
    private readonly manifestPath: string,
  ) {}

  get simnet(): Simnet {
    return this.current;
  }

  replace(simnet: Simnet): void {
    this.current = simnet;
    this.interfaceCache = undefined;
  }

  /** A deployment adds an interface. */
  contractsChanged(): void {
    this.interfaceCache = undefined;
  }

  interfaces(): Map<string, ContractInterface> {
    this.interfaceCache ??= this.current.getContractsInterfaces() as unknown as Map<string, ContractInterface>;
    return this.interfaceCache;
  }

  /** Resolves when the simnet is consistent (not in the middle of a rebuild). */
  whenIdle(): Promise<void> {
    return this.rebuilding ?? Promise.resolve();
  }

  /**
   * Keeps HTTP requests waiting (whenIdle) while the chain's state is being
   * replaced; a rebuild inside a fork runs under the fork's hold.
   */
  async exclusively<T>(run: () => Promise<T>): Promise<T> {
    if (this.rebuilding) return run();
    let finish: () => void = () => undefined;
    this.rebuilding = new Promise<void>((resolve) => (finish = resolve));
    try {
      return await run();
    } finally {
      this.rebuilding = undefined;
      finish();
    }
  }

  /** Stops preparing spare simnets; the chain is no longer used after its server stopped. */
  close(): void {
    this.closed = true;
    this.spare = undefined;
  }

  /**
   * Aborts come in bursts (a test suite exercising post-conditions, say), so after
   * a rebuild a genesis simnet is started in the background for the next one.
   */
  prepareSpare(): void {
    if (this.closed) return;
    const spare = createSimnet(this.manifestPath);
    spare.catch(() => undefined);
    this.spare = spare;
  }

  async freshSimnet(): Promise<Simnet> {
    const spare = this.spare;
    this.spare = undefined;
    if (spare) {
      try {
        return await spare;
      } catch {
        // A failed spare is no worse than having none.
      }
    }
    return createSimnet(this.manifestPath);
  }
}
