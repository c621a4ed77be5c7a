/**
 * The grid-service products a request may name. The contract stores any non-empty
 * (string-ascii 32), so a typo would escrow real STX for a product nobody delivers:
 * the services accept only these. Requests created from a wallet outside the API are
 * followed as the chain has them, whatever their type.
 */
export const SERVICE_TYPES = [
  "frequency-regulation",
  "frequency-containment",
  "afrr",
  "reserve",
  "peak-shaving",
  "demand-response",
  "voltage-support",
] as const;

export type ServiceType = (typeof SERVICE_TYPES)[number];

export function isServiceType(value: string): value is ServiceType {
  return (SERVICE_TYPES as readonly string[]).includes(value);
}
