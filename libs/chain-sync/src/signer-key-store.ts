import { inspect } from "node:util";
import { type CallSender, ChainError, type Signer, type SigningPermit, type StacksChain } from "@voltstack/chain";
import type { SigningLeases } from "./signing-lease.js";

/**
 * Where the key of one principal the service signs for comes from: a mounted secret
 * file, or an environment variable named here (the key itself never sits in the list).
 */
export type SignerKeySource = { principal: string } & ({ privateKeyFile: string } | { privateKeyEnv: string });

/**
 * The principals a service may sign for and their signers, loaded once at start-up.
 * A key whose address is not the principal it is listed for is refused, so a
 * mislabelled secret cannot sign for someone else. Keys never appear in errors or logs.
 */
export class SignerKeyStore {
  readonly #signers: Map<string, Signer>;
  readonly #senders = new Map<string, SenderEntry>();

  private constructor(
    private readonly chain: StacksChain,
    signers: Signer[],
    private readonly leases: SigningLeases | undefined,
  ) {
    this.#signers = new Map(signers.map((signer) => [signer.address, signer]));
  }

  /**
   * With `leases`, a sender is started only while this process holds the signing leases of
   * all its keys, and every signature checks its lease (see SigningLeases).
   */
  static async load(
    chain: StacksChain,
    sources: SignerKeySource[],
    env: Record<string, string | undefined> = process.env,
    options: { leases?: SigningLeases } = {},
  ): Promise<SignerKeyStore> {
    const signers: Signer[] = [];
    for (const source of sources) {
      let signer: Signer;
      if ("privateKeyEnv" in source) {
        const key = env[source.privateKeyEnv];
        if (!key) {
          throw new ChainError(
            "SIGNER_KEY_MISSING",
            `The key for ${source.principal} should be in ${source.privateKeyEnv}, which is not set.`,
            { principal: source.principal, variable: source.privateKeyEnv },
          );
        }
        signer = await chain.signer({ privateKey: key });
      } else {
        signer = await chain.signer({ privateKeyFile: source.privateKeyFile });
      }
      if (signer.address !== source.principal) {
        throw new ChainError(
          "SIGNER_PRINCIPAL_MISMATCH",
          `The key listed for ${source.principal} belongs to ${signer.address}.`,
          { principal: source.principal, address: signer.address },
        );
      }
      signers.push(signer);
    }
    return new SignerKeyStore(chain, signers, options.leases);
  }

  get principals(): string[] {
    return [...this.#signers.keys()];
  }

  has(principal: string): boolean {
    return this.#signers.has(principal);
  }

  /**
   * The started sender of `principal` (its nonce read from the node on first use). Under
   * signing leases it fails with SIGNING_LEASE_HELD while another process holds them; a
   * sender whose lease lapsed is replaced by a fresh one (its nonces re-read), since the
   * process that held the key meanwhile may have used some.
   */
  sender(principal: string): Promise<CallSender> {
    const signer = this.#signers.get(principal);
    if (!signer) {
      return Promise.reject(
        new ChainError("NO_SIGNER_FOR_PRINCIPAL", `This service holds no key for ${principal}.`, { principal }),
      );
    }
    const cached = this.#senders.get(principal);
    if (cached && permitted(cached.permit)) return cached.sender;
    const entry = this.#start(signer);
    // A failed start (node unreachable, lease held elsewhere) is retried on the next call.
    entry.sender.catch(() => {
      if (this.#senders.get(principal) === entry) this.#senders.delete(principal);
    });
    this.#senders.set(principal, entry);
    return entry.sender;
  }

  #start(signer: Signer): SenderEntry {
    const leases = this.leases;
    if (!leases) return { sender: this.chain.callSender(signer) };
    const entry: Partial<SenderEntry> = {};
    entry.sender = (async () => {
      if (!leases.holdsAll(this.principals)) await leases.acquireAll(this.principals);
      // One permit for the sender and the cache: a later acquisition does not revive this sender.
      const permit = leases.permit(signer.address);
      entry.permit = permit;
      return this.chain.callSender(signer, { permit });
    })();
    return entry as SenderEntry;
  }

  toJSON(): { principals: string[] } {
    return { principals: this.principals };
  }

  [inspect.custom](): string {
    return `SignerKeyStore(${this.principals.join(", ")}, keys [redacted])`;
  }
}

/** A started (or starting) sender, and the permit it signs under when leases are on. */
interface SenderEntry {
  sender: Promise<CallSender>;
  permit?: SigningPermit;
}

function permitted(permit: SigningPermit | undefined): boolean {
  try {
    permit?.assertHeld();
    return true;
  } catch {
    return false;
  }
}
