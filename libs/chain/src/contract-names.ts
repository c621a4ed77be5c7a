/** The five contracts of the system, by their deployed names (overridable in configuration). */
export const CONTRACT_KEYS = [
  "facility-registry",
  "capacity-tracking",
  "charge-discharge",
  "revenue-sharing",
  "grid-services",
] as const;
export type ContractKey = (typeof CONTRACT_KEYS)[number];
