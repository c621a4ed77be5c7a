import { Logger } from "@nestjs/common";
import {
  type ContractName,
  eventTypeForContractPrint,
  type EventType,
  EventValidationError,
  payloadFromPrint,
} from "@voltstack/events";
import type { DerivedEvent } from "./contract-event-sync.js";

const logger = new Logger("DerivedEvents");

/**
 * The event of `type` a projection makes from a print, or none when the catalog cannot carry
 * its figures (kWh beyond 2^53 - 1, which only a wallet's own call reaches): the read model
 * keeps them exact, and the block is applied without the event instead of failing the
 * follower's pass on it again and again.
 */
export function derivedEvent(type: EventType, print: object, txid: string): DerivedEvent[] {
  try {
    return [{ type, payload: payloadFromPrint(type, print as Record<string, unknown>) } as DerivedEvent];
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    logger.warn(`No ${type} event for tx ${txid}: ${error.message}`);
    return [];
  }
}

/** The event the contract's print makes (see `derivedEvent`), or none when its topic has no event. */
export function eventsOfPrint(contract: ContractName, print: { topic: string }, txid: string): DerivedEvent[] {
  const type = eventTypeForContractPrint(contract, print.topic);
  return type ? derivedEvent(type, print, txid) : [];
}
