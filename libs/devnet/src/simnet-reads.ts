// Reads of the simnet's current state for the node's routes: STX balances,
// read-only function calls (checked against the ABI the way the node checks
// them), data variables and map entries, as Clarity hex.
import { cvToHex, hexToCV, type ClarityValue } from "@stacks/transactions";
import { argumentMismatch } from "./abi-arguments.js";
import { errorMessage } from "./error-message.js";
import type { ContractInterface } from "./simnet-host.js";
import { quietly, type Simnet } from "./simnet-session.js";

export interface ReadOnlyOutcome {
  okay: boolean;
  result?: string;
  cause?: string;
}

export function stxBalance(simnet: Simnet, principal: string): bigint {
  return simnet.getAssetsMap().get("STX")?.get(principal) ?? 0n;
}

export function callReadOnly(
  simnet: Simnet,
  interfaces: Map<string, ContractInterface>,
  contractId: string,
  functionName: string,
  argsHex: string[],
  sender: string,
): ReadOnlyOutcome {
  const contract = interfaces.get(contractId);
  if (!contract) return { okay: false, cause: `Unchecked(NoSuchContract("${contractId}"))` };
  const fn = contract.functions.find((candidate) => candidate.name === functionName);
  if (!fn) return { okay: false, cause: `Unchecked(NoSuchPublicFunction("${contractId}", "${functionName}"))` };
  let args: ClarityValue[];
  try {
    args = argsHex.map((hex) => hexToCV(hex));
  } catch (error) {
    return { okay: false, cause: `Unchecked(DeserializationError: ${errorMessage(error)})` };
  }
  if (args.length !== fn.args.length) {
    return { okay: false, cause: `Unchecked(IncorrectArgumentCount(${fn.args.length}, ${args.length}))` };
  }
  for (const [index, arg] of fn.args.entries()) {
    const mismatch = argumentMismatch(args[index]!, arg.type, arg.name);
    if (mismatch) return { okay: false, cause: `Unchecked(TypeValueError: ${mismatch})` };
  }
  try {
    const { result } = quietly(() => simnet.callReadOnlyFn(contractId, functionName, args as never, sender));
    return { okay: true, result: cvToHex(result as unknown as ClarityValue) };
  } catch (error) {
    return { okay: false, cause: errorMessage(error) };
  }
}

export function dataVar(simnet: Simnet, contractId: string, name: string): string | undefined {
  try {
    return cvToHex(quietly(() => simnet.getDataVar(contractId, name)) as unknown as ClarityValue);
  } catch {
    return undefined;
  }
}

export function mapEntry(simnet: Simnet, contractId: string, map: string, keyHex: string): string | undefined {
  try {
    const key = hexToCV(keyHex);
    return cvToHex(quietly(() => simnet.getMapEntry(contractId, map, key as never)) as unknown as ClarityValue);
  } catch {
    return undefined;
  }
}
