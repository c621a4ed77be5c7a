// What every service's chain-sync routes answer (transactions, dead letters, sync status). Their
// answer schemas are chain-sync's own, not part of @voltstack/api yet, so their types are stated here.

export interface JournalEntry {
  id: string;
  txid: string | null;
  requestedBy: string;
  sender: string;
  contract: string;
  functionName: string;
  arguments: string[];
  status: "pending" | "confirmed" | "failed";
  errorCode: string | null;
  errorMessage: string | null;
  blockHeight: number | null;
  createdAt: string;
}

export interface DeadLetter {
  id: string;
  consumer: string;
  eventId: string;
  subject: string;
  errorCode: string;
  errorMessage: string;
  deliveries: number;
  failedAt: string;
  replayedAt: string | null;
  replayCount: number;
  /** When an admin discarded it, why and who; null while it is not discarded. */
  discardedAt: string | null;
  discardReason: string | null;
  discardedBy: string | null;
}

/** Which dead letters a list holds: open (default), replayed, discarded or all. */
export type DeadLetterState = "open" | "replayed" | "discarded" | "all";

/** Where a service's read model stands against the chain (`GET /chain-sync/status`). */
export interface SyncStatus {
  tipHeight: number;
  followerHeight: number;
  lagBlocks: number;
  caughtUp: boolean;
  /** The chain's mean block interval over its last blocks, seconds; null while unknown. */
  secondsPerBlock: number | null;
}
