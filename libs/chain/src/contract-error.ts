import { ChainError } from "./chain-error.js";
import { CONTRACT_ERROR_CONSTANTS } from "./contract-errors.generated.js";
import { CONTRACT_KEYS, type ContractKey } from "./contract-names.js";

type ErrorTable = typeof CONTRACT_ERROR_CONSTANTS;
/** The name of a contract's error constant, per contract (`ERR_REQUEST_NOT_OPEN` for grid-services, ...). */
export type ContractErrorName<C extends ContractKey = ContractKey> = C extends ContractKey
  ? ErrorTable[C][keyof ErrorTable[C]]
  : never;

/**
 * A call ended with `(err uN)`: `code` is the contract's constant name, `contract`
 * the contract that declares it (a nested call may raise another contract's error).
 */
export class ContractError extends ChainError {
  constructor(
    override readonly code: ContractErrorName | "UNKNOWN_CONTRACT_ERROR",
    readonly contract: ContractKey | undefined,
    readonly errorNumber: bigint,
    readonly txid: string | undefined,
    readonly calledContract: string,
    readonly functionName: string,
  ) {
    super(
      code,
      `${calledContract}.${functionName} failed with ${code} (err u${errorNumber})${contract && !calledContract.endsWith(contract) ? ` raised by ${contract}` : ""}.`,
      { contract, errorNumber: errorNumber.toString(), txid, calledContract, functionName },
    );
    this.name = "ContractError";
  }

  /** True when this is `name` as declared by `contract`. */
  is<C extends ContractKey>(contract: C, name: ContractErrorName<C>): boolean {
    return this.contract === contract && this.code === name;
  }
}

/** Looks an error number up in the called contract first, then in the others (their ranges are disjoint). */
export function lookupErrorConstant(
  errorNumber: bigint,
  calledContract?: ContractKey,
): { contract: ContractKey; name: ContractErrorName } | undefined {
  const order = calledContract ? [calledContract, ...CONTRACT_KEYS.filter((c) => c !== calledContract)] : CONTRACT_KEYS;
  for (const contract of order) {
    const table: Record<string, ContractErrorName> = CONTRACT_ERROR_CONSTANTS[contract];
    const name = table[errorNumber.toString()];
    if (name !== undefined) return { contract, name };
  }
  return undefined;
}

export function isContractError<C extends ContractKey>(
  error: unknown,
  contract: C,
  name: ContractErrorName<C>,
): error is ContractError {
  return error instanceof ContractError && error.is(contract, name);
}
