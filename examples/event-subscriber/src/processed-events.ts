/**
 * The ids of the events already handled. An event can arrive more than once: JetStream
 * redelivers what was not acknowledged in time, and the services publish a fact again
 * under the same id after a dead-letter replay or a re-sync.
 */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean> | boolean;
  add(eventId: string): Promise<void> | void;
}

/**
 * Remembers ids for the life of the process. A real integration keeps them where its
 * effect is written, in the same transaction (the services use an inbox table), so a
 * crash between the effect and the ack cannot apply an event twice.
 */
export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly ids = new Set<string>();

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  add(eventId: string): void {
    this.ids.add(eventId);
  }
}
