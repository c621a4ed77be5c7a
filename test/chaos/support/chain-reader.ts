import { type ClarityValue, ClarityType, Cl, cvToString, fetchCallReadOnlyFunction } from "@stacks/transactions";

/** A Clarity value as plain data: integers as bigint, tuples as objects, optionals as the value or null. */
export function plain(value: ClarityValue): unknown {
  switch (value.type) {
    case ClarityType.UInt:
    case ClarityType.Int:
      return BigInt(value.value);
    case ClarityType.BoolTrue:
      return true;
    case ClarityType.BoolFalse:
      return false;
    case ClarityType.OptionalNone:
      return null;
    case ClarityType.OptionalSome:
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
      return plain(value.value);
    case ClarityType.Tuple:
      return Object.fromEntries(Object.entries(value.value).map(([key, field]) => [key, plain(field)]));
    case ClarityType.List:
      return value.value.map(plain);
    case ClarityType.StringASCII:
    case ClarityType.StringUTF8:
      return value.value;
    default:
      return cvToString(value);
  }
}

/** The chain as the devnet has it now: read-only calls and balances, the truth read models are held to. */
export class ChainReader {
  constructor(
    private readonly devnetUrl: () => string,
    private readonly deployer: string,
  ) {}

  async call(contract: string, functionName: string, args: ClarityValue[] = []): Promise<unknown> {
    const result = await fetchCallReadOnlyFunction({
      contractAddress: this.deployer,
      contractName: contract,
      functionName,
      functionArgs: args,
      senderAddress: this.deployer,
      network: "devnet",
      client: { baseUrl: this.devnetUrl() },
    });
    return plain(result);
  }

  async uint(contract: string, functionName: string, ...args: number[]): Promise<bigint> {
    return (await this.call(
      contract,
      functionName,
      args.map((arg) => Cl.uint(arg)),
    )) as bigint;
  }

  async request(requestId: number): Promise<ChainRequest | null> {
    return (await this.call("grid-services", "get-request", [Cl.uint(requestId)])) as ChainRequest | null;
  }

  async balance(principal: string): Promise<bigint> {
    const response = await fetch(`${this.devnetUrl()}/v2/accounts/${principal}?proof=0`);
    if (!response.ok) throw new Error(`balance of ${principal}: HTTP ${response.status}`);
    return BigInt(((await response.json()) as { balance: string }).balance);
  }

  async tipHeight(): Promise<number> {
    const response = await fetch(`${this.devnetUrl()}/v2/info`);
    return ((await response.json()) as { stacks_tip_height: number }).stacks_tip_height;
  }
}

/** grid-services' request map entry. */
export interface ChainRequest {
  "service-type": string;
  "power-kw": bigint;
  "energy-kwh": bigint;
  payment: bigint;
  requester: string;
  "expires-at": bigint;
  status: string;
  "facility-id": bigint | null;
  "performance-bps": bigint | null;
  payout: bigint;
  refund: bigint;
}
