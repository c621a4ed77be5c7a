import { createHash } from "node:crypto";

// A fixed namespace (RFC 4122 name-based ids): the same chain fact always yields the same id.
const NAMESPACE = Buffer.from("5f0c6a3e8d1b4e6f9a2c7b3d4e5f6a7b", "hex");

/**
 * The event id of the `ordinal`-th event made from print event `eventIndex` of
 * transaction `txid`: a name-based (version 5) UUID, so a re-sync of the same
 * block publishes under the same id and JetStream and inboxes de-duplicate it.
 */
export function chainEventId(txid: string, eventIndex: number, ordinal = 0): string {
  return nameBasedId(`${txid.replace(/^0x/, "").toLowerCase()}:${eventIndex}${ordinal === 0 ? "" : `:${ordinal}`}`);
}

/**
 * The id of the `chain.reorganized` event of one follower's rewind: the same orphaned
 * facts give the same id, so a rewind repeated after a crash is not published twice.
 */
export function reorganizationEventId(followerId: string, facts: { txId: string; eventIndex: number }[]): string {
  const keys = facts.map((fact) => `${fact.txId.replace(/^0x/, "").toLowerCase()}:${fact.eventIndex}`).sort();
  return nameBasedId(`reorganized:${followerId}:${keys.join(",")}`);
}

function nameBasedId(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
