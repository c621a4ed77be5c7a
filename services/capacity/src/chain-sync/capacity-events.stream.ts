import type { StreamSpec } from "@voltstack/messaging";

/** The stream of everything the capacity service publishes (declared idempotently at start-up). */
export const CAPACITY_STREAM: StreamSpec = {
  name: "CAPACITY",
  subjects: ["capacity.>"],
  description: "Capacity tracking events of the capacity service, made from confirmed chain transactions",
};

/**
 * The verification service's stream, which facility.approved arrives on. Declared here
 * exactly as its producer declares it (name, subjects, description, limits), so either
 * service may start first and ensureStreams finds nothing to change.
 */
export const FACILITY_STREAM: StreamSpec = {
  name: "FACILITIES",
  subjects: ["facility.>", "registry.>"],
  description: "Facility registry events of the verification service, made from confirmed chain transactions",
};
