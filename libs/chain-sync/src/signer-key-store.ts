import { inspect } from "node:util";
import { type CallSender, ChainError, type Signer, type StacksChain } from "@voltstack/chain";

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
  readonly #senders = new Map<string, Promise<CallSender>>();

  private constructor(
    private readonly chain: StacksChain,
    signers: Signer[],
  ) {
    this.#signers = new Map(signers.map((signer) => [signer.address, signer]));
  }

  static async load(
    chain: StacksChain,
    sources: SignerKeySource[],
    env: Record<string, string | undefined> = process.env,
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
    return new SignerKeyStore(chain, signers);
  }

  get principals(): string[] {
    return [...this.#signers.keys()];
  }

  has(principal: string): boolean {
    return this.#signers.has(principal);
  }

  /** The started sender of `principal` (its nonce read from the node on first use). */
  sender(principal: string): Promise<CallSender> {
    const signer = this.#signers.get(principal);
    if (!signer) {
      return Promise.reject(
        new ChainError("NO_SIGNER_FOR_PRINCIPAL", `This service holds no key for ${principal}.`, { principal }),
      );
    }
    let sender = this.#senders.get(principal);
    if (!sender) {
      sender = this.chain.callSender(signer);
      // A failed start (node unreachable) is retried on the next call.
      sender.catch(() => this.#senders.delete(principal));
      this.#senders.set(principal, sender);
    }
    return sender;
  }

  toJSON(): { principals: string[] } {
    return { principals: this.principals };
  }

  [inspect.custom](): string {
    return `SignerKeyStore(${this.principals.join(", ")}, keys [redacted])`;
  }
}
