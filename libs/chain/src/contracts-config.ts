import { ChainError } from "./chain-error.js";
import { CONTRACT_KEYS, type ContractKey } from "./contract-names.js";

/** Where the contracts are deployed: the deployer's address and, when they differ from the defaults, their names. */
export interface ContractsConfig {
  deployer: string;
  names?: Partial<Record<ContractKey, string>>;
}

export interface ContractRef {
  key: ContractKey;
  address: string;
  name: string;
  /** `address.name` */
  id: string;
}

export type ContractDirectory = Record<ContractKey, ContractRef>;

const ADDRESS = /^S[PMTN][0-9A-HJKMNP-TV-Z]{38,40}$/;
const CONTRACT_NAME = /^[a-zA-Z]([a-zA-Z0-9]|[-_])*$/;

export function resolveContracts(config: ContractsConfig): ContractDirectory {
  if (!ADDRESS.test(config.deployer)) {
    throw new ChainError("INVALID_DEPLOYER_ADDRESS", `"${config.deployer}" is not a Stacks address.`, {
      deployer: config.deployer,
    });
  }
  const directory = {} as ContractDirectory;
  for (const key of CONTRACT_KEYS) {
    const name = config.names?.[key] ?? key;
    if (!CONTRACT_NAME.test(name) || name.length > 128) {
      throw new ChainError("INVALID_CONTRACT_NAME", `"${name}" is not a valid contract name for ${key}.`, {
        key,
        name,
      });
    }
    directory[key] = { key, address: config.deployer, name, id: `${config.deployer}.${name}` };
  }
  return directory;
}

/** The logical contract behind a deployed contract id, if it is one of ours. */
export function contractKeyOf(directory: ContractDirectory, contractId: string): ContractKey | undefined {
  return CONTRACT_KEYS.find((key) => directory[key].id === contractId);
}
