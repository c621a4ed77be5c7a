import type { StreamSpec } from "@voltstack/messaging";

/** The stream of the flow service's events; the producer and every consumer declare it (idempotently). */
export const FLOW_STREAM: StreamSpec = {
  name: "FLOW",
  subjects: ["flow.>"],
  description: "Events of the flow service",
};
