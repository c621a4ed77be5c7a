/// <reference types="@stacks/clarinet-sdk/vitest" />
// Shared set-up for the contract suites: the simnet's accounts and the few
// steps most tests start from. Every helper asserts that its calls succeed, so a
// broken precondition fails at the line that caused it.
import { Cl, ClarityType, cvToString, type ClarityValue, type TupleCV } from "@stacks/transactions";
import { AddressVersion, addressFromVersionHash, addressToString } from "@stacks/transactions";
import { expect } from "vitest";
import { CONTRACT_ERROR_CONSTANTS } from "@voltstack/chain/contract-errors";

type ErrorTable = typeof CONTRACT_ERROR_CONSTANTS;
type ErrorConstantName<C extends keyof ErrorTable> = ErrorTable[C][keyof ErrorTable[C]];

/**
 * The number of a contract's error constant, e.g. `errorCode("facility-registry", "ERR_NOT_ADMIN")`,
 * read from the table generated from the contracts' sources, so a test cannot drift from them;
 * throws when the contract declares no such constant.
 */
export function errorCode<C extends keyof ErrorTable>(contract: C, name: ErrorConstantName<C>): number {
  const table: Record<string, string> | undefined = CONTRACT_ERROR_CONSTANTS[contract];
  const code = Object.entries(table ?? {}).find(([, constant]) => constant === name)?.[0];
  if (code === undefined) throw new Error(`${contract} declares no error constant ${String(name)}`);
  return Number(code);
}

export type SimnetEvent = { event: string; data: { value?: ClarityValue; [key: string]: unknown } };

function account(name: string): string {
  const address = simnet.getAccounts().get(name);
  if (!address) throw new Error(`account ${name} is missing from settings/Devnet.toml`);
  return address;
}

/** The deployer, and the first admin of facility-registry. */
export const deployer = account("deployer");
export const wallet1 = account("wallet_1");
export const wallet2 = account("wallet_2");
export const wallet3 = account("wallet_3");
export const wallet4 = account("wallet_4");
export const wallet5 = account("wallet_5");
export const wallet6 = account("wallet_6");
export const wallet7 = account("wallet_7");
export const wallet8 = account("wallet_8");

/** The contract principal of a contract deployed by the deployer, e.g. `contractPrincipal("grid-services")`. */
export function contractPrincipal(name: string): string {
  return `${deployer}.${name}`;
}

/** The value inside `(ok ...)`; throws with the printed result otherwise. */
export function expectOkValue(result: ClarityValue, what = "call"): ClarityValue {
  if (result.type !== ClarityType.ResponseOk) {
    throw new Error(`${what} failed: ${cvToString(result)}`);
  }
  return result.value;
}

/** A public call that must succeed; returns the value inside `(ok ...)` and the call's events. */
export function callOk(
  contract: string,
  method: string,
  args: ClarityValue[],
  sender: string,
): { value: ClarityValue; events: SimnetEvent[] } {
  const { result, events } = simnet.callPublicFn(contract, method, args, sender);
  return { value: expectOkValue(result, `${contract}.${method}`), events };
}

/** The uint inside a Clarity uint value, as a bigint. */
export function uintOf(value: ClarityValue): bigint {
  if (value.type !== ClarityType.UInt) throw new Error(`expected a uint, got ${cvToString(value)}`);
  return BigInt(value.value);
}

/** The tuples the call printed, in order. */
export function printedTuples(events: SimnetEvent[]): TupleCV[] {
  return events
    .filter((event) => event.event === "print_event")
    .map((event) => event.data.value)
    .filter((value): value is TupleCV => value?.type === ClarityType.Tuple);
}

/** The one tuple printed with this `topic`; throws when there is none or more than one. */
export function printedTopic(events: SimnetEvent[], topic: string): TupleCV {
  const matches = printedTuples(events).filter((tuple) => {
    const field = tuple.value["topic"];
    return field?.type === ClarityType.StringASCII && field.value === topic;
  });
  if (matches.length !== 1) {
    throw new Error(`expected one print event with topic "${topic}", found ${matches.length}`);
  }
  return matches[0]!;
}

export type FacilityOptions = {
  name?: string;
  location?: string;
  capacityKwh?: number | bigint;
  maxPowerKw?: number | bigint;
};

/** Registers a facility owned by `owner` (status pending); returns its id. */
export function registerFacility(owner: string, options: FacilityOptions = {}): bigint {
  const { value } = callOk(
    "facility-registry",
    "register-facility",
    [
      Cl.stringUtf8(options.name ?? "Test Battery"),
      Cl.stringUtf8(options.location ?? "Test Site"),
      Cl.uint(options.capacityKwh ?? 1_000),
      Cl.uint(options.maxPowerKw ?? 250),
    ],
    owner,
  );
  return uintOf(value);
}

/** Registers a facility owned by `owner` and has `admin` (the deployer by default) approve it; returns its id. */
export function registerApprovedFacility(owner: string, options: FacilityOptions & { admin?: string } = {}): bigint {
  const facilityId = registerFacility(owner, options);
  callOk("facility-registry", "approve-facility", [Cl.uint(facilityId)], options.admin ?? deployer);
  return facilityId;
}

/** Enables or revokes `operator` for a facility, as its `owner`. */
export function setOperator(facilityId: bigint, owner: string, operator: string, enabled = true): void {
  callOk("facility-registry", "set-operator", [Cl.uint(facilityId), Cl.principal(operator), Cl.bool(enabled)], owner);
}

/** Initialises an approved facility's capacity with `storedKwh`, as `sender` (its owner or operator). */
export function initializeCapacity(facilityId: bigint, storedKwh: number | bigint, sender: string): void {
  callOk("capacity-tracking", "initialize-capacity", [Cl.uint(facilityId), Cl.uint(storedKwh)], sender);
}

export type CapacityKwh = {
  totalKwh: bigint;
  storedKwh: bigint;
  reservedKwh: bigint;
  availableKwh: bigint;
};

/** capacity-tracking's `get-capacity`, in kWh; throws when the facility has no capacity yet. */
export function readCapacity(facilityId: bigint): CapacityKwh {
  const { result } = simnet.callReadOnlyFn("capacity-tracking", "get-capacity", [Cl.uint(facilityId)], deployer);
  if (result.type !== ClarityType.OptionalSome || result.value.type !== ClarityType.Tuple) {
    throw new Error(`facility ${facilityId} has no capacity: ${cvToString(result)}`);
  }
  const fields = result.value.value;
  return {
    totalKwh: uintOf(fields["total-kwh"]!),
    storedKwh: uintOf(fields["stored-kwh"]!),
    reservedKwh: uintOf(fields["reserved-kwh"]!),
    availableKwh: uintOf(fields["available-kwh"]!),
  };
}

export type ServiceRequestOptions = {
  serviceType?: string;
  powerKw?: number | bigint;
  energyKwh?: number | bigint;
  paymentUstx?: number | bigint;
  /** Blocks from now until the request expires. */
  expiresInBlocks?: number;
  /** The admin who creates (and pays for) the request; the deployer by default. */
  requester?: string;
};

/** An admin's grid-service request with its payment escrowed; returns the request id. */
export function createServiceRequest(options: ServiceRequestOptions = {}): bigint {
  const { value } = callOk(
    "grid-services",
    "create-service-request",
    [
      Cl.stringAscii(options.serviceType ?? "peak-shaving"),
      Cl.uint(options.powerKw ?? 100),
      Cl.uint(options.energyKwh ?? 100),
      Cl.uint(options.paymentUstx ?? 1_000_000),
      Cl.uint(simnet.blockHeight + (options.expiresInBlocks ?? 100)),
    ],
    options.requester ?? deployer,
  );
  return uintOf(value);
}

/**
 * Reserves `energyKwh` of a facility's stored energy the only way the system
 * allows: an admin's service request that `acceptor` (owner or operator)
 * accepts for the facility. Returns the request id.
 */
export function reserveThroughGridServices(
  facilityId: bigint,
  energyKwh: number | bigint,
  acceptor: string,
  options: Omit<ServiceRequestOptions, "energyKwh"> = {},
): bigint {
  const requestId = createServiceRequest({ ...options, energyKwh });
  callOk("grid-services", "accept-request", [Cl.uint(requestId), Cl.uint(facilityId)], acceptor);
  return requestId;
}

/** The `stacks-block-height` the next public call runs at (each call mines its own block). */
export function nextCallHeight(): bigint {
  return BigInt(simnet.blockHeight + 1);
}

/** Mines empty blocks so that the next public call runs at `height`. */
export function mineUntilNextCallAt(height: bigint): void {
  const blocks = Number(height - nextCallHeight());
  if (blocks < 0) throw new Error(`height ${height} is already past`);
  if (blocks > 0) simnet.mineEmptyBlocks(blocks);
}

/** Micro-STX held by a principal now, from the simnet's asset map. */
export function stxBalance(principal: string): bigint {
  return simnet.getAssetsMap().get("STX")?.get(principal) ?? 0n;
}

/** A read-only call's result, as the deployer. */
export function readOnly(contract: string, method: string, args: ClarityValue[]): ClarityValue {
  return simnet.callReadOnlyFn(contract, method, args, deployer).result;
}

/** A distinct testnet standard principal with no key and no balance, for long stakeholder lists. */
export function syntheticPrincipal(index: number): string {
  const hash160 = (0xa0_00_00_00 + index).toString(16).padStart(40, "0");
  return addressToString(addressFromVersionHash(AddressVersion.TestnetSingleSig, hash160));
}

/** Asserts that the one tuple printed with `topic` carries these fields (it may carry more); returns its fields. */
export function expectPrinted(
  events: SimnetEvent[],
  topic: string,
  fields: Record<string, ClarityValue>,
): Record<string, ClarityValue> {
  const tuple = printedTopic(events, topic).value;
  for (const [name, value] of Object.entries(fields)) {
    expect(tuple[name], `field ${name} of the ${topic} event`).toStrictEqual(value);
  }
  return tuple;
}

export type ShareSpec = readonly [stakeholder: string, shareBps: number | bigint];

/** A `(list 100 {stakeholder, share-bps})` argument for set-stakeholder-shares. */
export function sharesCv(shares: readonly ShareSpec[]): ClarityValue {
  return Cl.list(
    shares.map(([stakeholder, shareBps]) =>
      Cl.tuple({ stakeholder: Cl.principal(stakeholder), "share-bps": Cl.uint(shareBps) }),
    ),
  );
}

/** Sets a facility's revenue split as its owner; returns the new shares version. */
export function setShares(facilityId: bigint, shares: readonly ShareSpec[], owner: string): bigint {
  return uintOf(
    callOk("revenue-sharing", "set-stakeholder-shares", [Cl.uint(facilityId), sharesCv(shares)], owner).value,
  );
}

/** Every tuple the call printed with this `topic`, in order (for topics printed once per item). */
export function printedAllWithTopic(events: SimnetEvent[], topic: string): TupleCV[] {
  return printedTuples(events).filter((tuple) => {
    const field = tuple.value["topic"];
    return field?.type === ClarityType.StringASCII && field.value === topic;
  });
}

/**
 * How revenue-sharing splits an amount, computed independently: the floor of
 * amount x share / 10,000 each, the remainder to the largest share (the first
 * listed on a tie).
 */
export function splitByShares(amountUstx: bigint, shares: readonly ShareSpec[]): bigint[] {
  const floors = shares.map(([, shareBps]) => (amountUstx * BigInt(shareBps)) / 10_000n);
  const remainder = amountUstx - floors.reduce((sum, amount) => sum + amount, 0n);
  let largest = 0;
  shares.forEach(([, shareBps], index) => {
    if (BigInt(shareBps) > BigInt(shares[largest]![1])) largest = index;
  });
  floors[largest]! += remainder;
  return floors;
}

/** The STX balances of these principals now, in the same order. */
export function stxBalances(principals: readonly string[]): bigint[] {
  return principals.map(stxBalance);
}
