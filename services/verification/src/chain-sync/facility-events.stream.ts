import type { StreamSpec } from "@voltstack/messaging";

/** The stream of everything the verification service publishes (declared idempotently at start-up). */
export const FACILITY_STREAM: StreamSpec = {
  name: "FACILITIES",
  subjects: ["facility.>", "registry.>"],
  description: "Facility registry events of the verification service, made from confirmed chain transactions",
};
