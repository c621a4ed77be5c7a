/** Attribute names shared by every library, so a trace reads the same everywhere. */
export const SpanAttributes = {
  /** Contract principal, e.g. ST1...ABC.grid-services. */
  chainContract: "stacks.contract",
  chainFunction: "stacks.function",
  chainTxId: "stacks.tx_id",
  chainBlockHeight: "stacks.block_height",
  chainTxStatus: "stacks.tx_status",
  messagingSystem: "messaging.system",
  messagingDestination: "messaging.destination.name",
  messagingMessageId: "messaging.message.id",
  eventType: "voltstack.event.type",
  facilityId: "voltstack.facility_id",
  requestId: "voltstack.request_id",
} as const;
