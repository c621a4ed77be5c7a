import type { SubjectNaming } from "./subjects.js";
import type { TransactionRunner } from "./transactions.js";

/** What the parts of the JetStream transport share with the server that runs them. */
export type TransportRuntime = {
  /** The service name; part of every durable consumer name. */
  service: string;
  naming: SubjectNaming;
  /** Transactions for runOnce and the dead-letter store. */
  transactions: TransactionRunner<unknown>;
  /** The service's schema holding inbox, outbox and dead_letters; undefined to use search_path. */
  schema: string | undefined;
  /** True from close() until the next start: loops stop, and failures are expected and not reported. */
  isClosing: () => boolean;
  onError: (error: unknown) => void;
  onStateChange: (message: string) => void;
};
