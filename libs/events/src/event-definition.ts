import type { z } from "zod";

export type ContractName =
  "facility-registry" | "capacity-tracking" | "charge-discharge" | "grid-services" | "revenue-sharing";

/** Where an event comes from: a contract's print event, a service's own decision, or outside voltstack. */
export type EventOrigin =
  | {
      kind: "chain";
      contract: ContractName;
      /** The print topic this event is made from. */
      topic: string;
      /** Further print topics of the same transaction folded into this event. */
      folds?: readonly string[];
      /** Keys of the decoded print (as @voltstack/chain names them) whose payload name differs, mostly to add a unit. */
      renames?: Readonly<Record<string, string>>;
    }
  | { kind: "service"; service: string }
  /** An input voltstack consumes and never publishes (market prices, metering). */
  | { kind: "external"; publisher: string };

export interface EventDefinition<Payload extends z.ZodType = z.ZodType> {
  /** Bumped on any change a consumer could trip over; additive optional fields keep it. */
  readonly version: number;
  readonly summary: string;
  readonly description: string;
  readonly origin: EventOrigin;
  readonly payload: Payload;
  /** A valid payload as it travels (JSON), shown in the AsyncAPI document. */
  readonly example: z.input<Payload>;
}

export function defineEvent<Payload extends z.ZodType>(definition: EventDefinition<Payload>): EventDefinition<Payload> {
  return definition;
}
