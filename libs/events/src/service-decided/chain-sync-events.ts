import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import { blockHeightSchema, txIdSchema } from "../field-schemas.js";

const contractNameSchema = z
  .enum(["facility-registry", "capacity-tracking", "charge-discharge", "grid-services", "revenue-sharing"])
  .meta({ description: "The contract whose events the publishing service follows" });

const orphanedFactSchema = z.object({
  txId: txIdSchema,
  eventIndex: z.int().nonnegative().meta({ description: "Index of the print event within its transaction" }),
  blockHeight: blockHeightSchema.meta({ description: "Height of the orphaned block that held it" }),
  eventIds: z
    .array(z.uuid())
    .max(20)
    .meta({ description: "Ids of the events published from this print event, which the chain no longer holds there" }),
});

/** Events about the chain itself rather than one contract's facts, decided by each service that follows it. */
export const chainEvents = {
  "chain.reorganized": defineEvent({
    version: 1,
    summary: "A fork orphaned blocks whose contract events a service had applied; it rewound and read the new branch.",
    description:
      "Each service publishes one for the contract it follows. Facts made from the orphaned print events are undone in its read model and the new branch is read: print events it already holds are listed in `moved` and applied again; those in `orphaned` were on no block of the new branch when the service rewound. Their transactions go back to the mempool and may be mined again, and then their facts are applied again under the same event ids (never published twice); a consumer that acted on an orphaned event should hold its consequences until then or reconsider them. Stacks (Nakamoto) forks only when Bitcoin reorganises.",
    origin: { kind: "service", service: "each chain-following" },
    payload: z.object({
      contract: contractNameSchema,
      fromHeight: blockHeightSchema.meta({ description: "The lowest height whose events were undone and read again" }),
      orphaned: z
        .array(orphanedFactSchema)
        .max(1000)
        .meta({ description: "Applied print events no block of the new branch held when the service rewound" }),
      moved: z
        .array(orphanedFactSchema.extend({ newBlockHeight: blockHeightSchema }))
        .max(1000)
        .meta({
          description: "Applied print events the new branch holds at another height (blockHeight: the old one)",
        }),
    }),
    example: {
      contract: "grid-services",
      fromHeight: 1204,
      orphaned: [
        {
          txId: "0x3f5c1b0e7a9d2c4b6e8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b",
          eventIndex: 0,
          blockHeight: 1205,
          eventIds: ["5d0f8f7e-1f0b-5c4e-9a51-3f1e2d4c6b8a"],
        },
      ],
      moved: [],
    },
  }),
} as const;
