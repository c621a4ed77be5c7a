import { inspect } from "node:util";
import {
  type CallSender,
  ChainError,
  SenderPool,
  type Signer,
  type SigningPermit,
  singleSender,
  type StacksChain,
  type TransactionSender,
} from "@voltstack/chain";
import type { SigningLeases } from "./signing-lease.js";

/**
 * Where the key of one principal the service signs for comes from: a mounted secret
 * file, or an environment variable named here (the key itself never sits in the list).
 */
export type SignerKeySource = { principal: string } & ({ privateKeyFile: string } | { privateKeyEnv: string });

/**
 * Further keys that sign in place of `principal` (SIGNER_POOLS): a write signed as
 * `principal` goes out from whichever of it and `keys` has the fewest transactions in
 * flight, so one key's 25-deep chain of unconfirmed transactions does not cap the
 * service. Every key must hold the same role on chain (an admin of the registry, say).
 */
export interface SignerPoolSource {
  principal: string;
  keys: SignerKeySource[];
  /**
   * false: only `keys` sign in place of `principal`, whose own key then signs nothing here
   * as that principal. For a key other processes sign with too (on a devnet where every
   * service holds the admin's key): its 25 unconfirmed transactions and its nonces are shared.
   */
  principalSigns?: boolean;
}

/**
 * The principals a service may sign for and their signers, loaded once at start-up.
 * A key whose address is not the principal it is listed for is refused, so a
 * mislabelled secret cannot sign for someone else. Keys never appear in errors or logs.
 */
export class SignerKeyStore {
  readonly #signers: Map<string, Signer>;
  /** Principal -> the addresses that sign as it (itself first, unless its pool says otherwise). */
  readonly #pools: Map<string, string[]>;
  /** The principals of SIGNER_KEYS: the ones a caller's write may be signed as. */
  readonly #listed: Set<string>;
  readonly #senders = new Map<string, SenderEntry>();
  readonly #callSenders = new Map<string, { senders: TransactionSender[]; sender: CallSender }>();

  private constructor(
    private readonly chain: StacksChain,
    signers: Signer[],
    listed: Set<string>,
    pools: Map<string, string[]>,
    private readonly leases: SigningLeases | undefined,
  ) {
    this.#signers = new Map(signers.map((signer) => [signer.address, signer]));
    this.#listed = listed;
    this.#pools = pools;
  }

  /**
   * With `leases`, a sender is started only while this process holds the signing leases of
   * all its keys, and every signature checks its lease (see SigningLeases). With `pools`,
   * the keys of each pool are loaded as well; a pool's principal must be among `sources`.
   */
  static async load(
    chain: StacksChain,
    sources: SignerKeySource[],
    env: Record<string, string | undefined> = process.env,
    options: { leases?: SigningLeases; pools?: SignerPoolSource[] } = {},
  ): Promise<SignerKeyStore> {
    const signers: Signer[] = [];
    for (const source of sources) signers.push(await loadSigner(chain, source, env));
    const listed = new Set(signers.map((signer) => signer.address));
    const pools = new Map<string, string[]>();
    for (const pool of options.pools ?? []) {
      if (!listed.has(pool.principal)) {
        throw new ChainError(
          "SIGNER_POOL_UNKNOWN_PRINCIPAL",
          `The signer pool of ${pool.principal} is for a principal SIGNER_KEYS does not list.`,
          { principal: pool.principal },
        );
      }
      if (pools.has(pool.principal)) {
        throw new ChainError("SIGNER_POOL_DUPLICATE", `${pool.principal} has two signer pools.`, {
          principal: pool.principal,
        });
      }
      const members: string[] = [];
      for (const source of pool.keys) {
        const signer = await loadSigner(chain, source, env);
        if (signer.address === pool.principal || members.includes(signer.address)) {
          throw new ChainError(
            "SIGNER_POOL_DUPLICATE",
            `The signer pool of ${pool.principal} lists ${signer.address} twice.`,
            { principal: pool.principal, member: signer.address },
          );
        }
        members.push(signer.address);
        if (!signers.some((known) => known.address === signer.address)) signers.push(signer);
      }
      pools.set(pool.principal, pool.principalSigns === false ? members : [pool.principal, ...members]);
    }
    return new SignerKeyStore(chain, signers, listed, pools, options.leases);
  }

  /** Every principal the service holds a key for, pools' keys included. */
  get principals(): string[] {
    return [...this.#signers.keys()];
  }

  /** Whether SIGNER_KEYS lists `principal`: a pool's further keys sign only as their pool's principal. */
  has(principal: string): boolean {
    return this.#listed.has(principal);
  }

  /** The addresses that sign as `principal`: itself (unless its pool says otherwise), then its pool's keys. */
  poolOf(principal: string): string[] {
    return [...(this.#pools.get(principal) ?? [principal])];
  }

  /**
   * The started sender of `principal` (its nonce read from the node on first use); for a
   * principal with a pool, a SenderPool over its keys (only those in `among` when given),
   * each key with one sender however it is reached. Under signing leases it fails with SIGNING_LEASE_HELD while another
   * process holds them; a sender whose lease lapsed is replaced by a fresh one (its nonces
   * re-read), since the process that held the key meanwhile may have used some.
   */
  async sender(principal: string, among?: readonly string[]): Promise<CallSender> {
    if (!this.#listed.has(principal)) {
      throw new ChainError("NO_SIGNER_FOR_PRINCIPAL", `This service holds no key for ${principal}.`, { principal });
    }
    const pool = this.poolOf(principal);
    const members = among === undefined ? pool : pool.filter((address) => among.includes(address));
    if (members.length === 0) {
      throw new ChainError(
        "NO_SIGNER_FOR_PRINCIPAL",
        `None of the keys that sign as ${principal} may sign this call.`,
        {
          principal,
          among: [...(among ?? [])],
        },
      );
    }
    const senders = await Promise.all(members.map((address) => this.#transactionSender(address)));
    // The same object while its senders stay the same: a pool keeps its turn between calls.
    const key = members.join(",");
    const built = this.#callSenders.get(key);
    if (built && built.senders.every((sender, index) => sender === senders[index])) return built.sender;
    const sender = senders.length === 1 ? singleSender(senders[0]!) : new SenderPool(senders);
    this.#callSenders.set(key, { senders, sender });
    return sender;
  }

  #transactionSender(address: string): Promise<TransactionSender> {
    const cached = this.#senders.get(address);
    if (cached && permitted(cached.permit)) return cached.sender;
    const entry = this.#start(this.#signers.get(address)!);
    // A failed start (node unreachable, lease held elsewhere) is retried on the next call.
    entry.sender.catch(() => {
      if (this.#senders.get(address) === entry) this.#senders.delete(address);
    });
    this.#senders.set(address, entry);
    return entry.sender;
  }

  #start(signer: Signer): SenderEntry {
    const leases = this.leases;
    if (!leases) return { sender: this.chain.sender(signer) };
    const entry: Partial<SenderEntry> = {};
    entry.sender = (async () => {
      if (!leases.holdsAll(this.principals)) await leases.acquireAll(this.principals);
      // One permit for the sender and the cache: a later acquisition does not revive this sender.
      const permit = leases.permit(signer.address);
      entry.permit = permit;
      return this.chain.sender(signer, { permit });
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

async function loadSigner(
  chain: StacksChain,
  source: SignerKeySource,
  env: Record<string, string | undefined>,
): Promise<Signer> {
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
  return signer;
}

/** A started (or starting) sender, and the permit it signs under when leases are on. */
interface SenderEntry {
  sender: Promise<TransactionSender>;
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
