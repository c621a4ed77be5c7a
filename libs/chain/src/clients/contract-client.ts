import { type ClarityValue, ClarityType, type PostCondition } from "@stacks/transactions";
import { ChainError } from "../chain-error.js";
import { expectBool, expectUint } from "../clarity-decoding.js";
import type { ConfirmationOptions } from "../confirmation-tracker.js";
import { ContractError, lookupErrorConstant } from "../contract-error.js";
import type { ContractKey } from "../contract-names.js";
import type { ContractRef } from "../contracts-config.js";
import { toDomain } from "../domain-decoding.js";
import type { CallSender } from "../sender-pool.js";
import type { CallOutcome, StacksChain } from "../stacks-chain.js";

/** A confirmed call with its typed ok value. */
export type CallResult<T> = CallOutcome & { value: T };

export interface ContractClientOptions {
  /** Who signs this client's calls; a client without one only reads. */
  sender?: CallSender;
  confirmation?: ConfirmationOptions;
}

/** Shared plumbing of the typed clients: they expose only TypeScript values, never Clarity ones. */
export abstract class ContractClient {
  protected constructor(
    protected readonly chain: StacksChain,
    protected readonly key: ContractKey,
    protected readonly options: ContractClientOptions = {},
  ) {}

  get contract(): ContractRef {
    return this.chain.contracts[this.key];
  }

  /** The address this client signs as (the first of a pool). */
  get senderAddress(): string {
    return this.#sender().address;
  }

  protected read(functionName: string, args: ClarityValue[]): Promise<ClarityValue> {
    return this.chain.readOnly(this.key, functionName, args, this.options.sender?.address);
  }

  protected async readUint(functionName: string, args: ClarityValue[]): Promise<bigint> {
    return expectUint(await this.read(functionName, args), `${this.key}::${functionName}`);
  }

  protected async readBool(functionName: string, args: ClarityValue[]): Promise<boolean> {
    return expectBool(await this.read(functionName, args), `${this.key}::${functionName}`);
  }

  /** An optional tuple as a typed record, or null for none. */
  protected async readOptional<T>(functionName: string, args: ClarityValue[]): Promise<T | null> {
    const cv = await this.read(functionName, args);
    if (cv.type === ClarityType.OptionalNone) return null;
    return toDomain(cv) as T;
  }

  protected async readRecord<T>(functionName: string, args: ClarityValue[]): Promise<T> {
    return toDomain(await this.read(functionName, args)) as T;
  }

  /** A read-only response: the ok value decoded, an err raised as the contract's named error. */
  protected async readResponse<T>(functionName: string, args: ClarityValue[]): Promise<T> {
    const cv = await this.read(functionName, args);
    if (cv.type === ClarityType.ResponseOk) return toDomain(cv.value) as T;
    if (cv.type === ClarityType.ResponseErr && cv.value.type === ClarityType.UInt) {
      const errorNumber = BigInt(cv.value.value);
      const known = lookupErrorConstant(errorNumber, this.key);
      throw new ContractError(
        known?.name ?? "UNKNOWN_CONTRACT_ERROR",
        known?.contract,
        errorNumber,
        undefined,
        this.contract.id,
        functionName,
      );
    }
    throw new ChainError("UNEXPECTED_CLARITY_TYPE", `${this.key}::${functionName} did not return a response.`, {
      actual: cv.type,
    });
  }

  protected async call<T>(
    functionName: string,
    functionArgs: ClarityValue[],
    postConditions: PostCondition[],
    decode: (ok: ClarityValue) => T,
    confirmation?: ConfirmationOptions,
  ): Promise<CallResult<T>> {
    const outcome = await this.chain.execute(
      this.#sender(),
      { contract: this.contract, functionName, functionArgs, postConditions },
      { ...this.options.confirmation, ...confirmation },
    );
    return { ...outcome, value: decode(outcome.result) };
  }

  protected okUint(what: string): (cv: ClarityValue) => bigint {
    return (cv) => expectUint(cv, what);
  }

  protected okBool(what: string): (cv: ClarityValue) => boolean {
    return (cv) => expectBool(cv, what);
  }

  #sender(): CallSender {
    if (!this.options.sender) {
      throw new ChainError("READ_ONLY_CLIENT", `This ${this.key} client has no signer and can only read.`, {
        contract: this.key,
      });
    }
    return this.options.sender;
  }
}
