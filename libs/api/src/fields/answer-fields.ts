import { z } from "zod";

// Fields of the services' answers, for the schemas @Operation documents. Micro-STX are decimal
// strings; energy, power, basis points, heights and ids are JSON integers (the rule every
// document states).

/** A time as the services write it: ISO 8601 in UTC. */
export const timestampField = z.iso.datetime().meta({ description: "ISO 8601 time (UTC)" });

/** A Stacks transaction id, 0x-prefixed. */
export const txidField = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/)
  .meta({ description: "Stacks transaction id" });

/** A Stacks principal: an address, optionally with a contract name. */
export const principalField = z.string().meta({ description: "Stacks principal (SP..., ST..., optionally .contract)" });

/** Micro-STX as a decimal string. */
export const ustxField = z
  .string()
  .regex(/^(0|[1-9]\d*)$/)
  .meta({ description: "Micro-STX (1 STX = 1,000,000) as a decimal string" });

/** A record id, a block height, a count: a JSON integer. */
export const integerField = z.int();

/** Energy in kWh: a JSON integer. */
export const kwhField = z.int().meta({ description: "Energy in kWh" });

/** Power in kW: a JSON integer. */
export const kwField = z.int().meta({ description: "Power in kW" });

/**
 * A kW or kWh figure: a JSON integer, or its decimal string beyond 2^53 - 1 (only a wallet's own
 * call can get there), so it stays exact.
 */
export const figureField = z.union([z.int(), z.string().regex(/^[1-9]\d*$/)]).meta({
  description: "A JSON integer; its decimal string only beyond 2^53 - 1, which only a wallet's own call reaches",
});

/** Basis points: 10,000 = 100 %. */
export const bpsField = z.int().min(0).max(10_000).meta({ description: "Basis points: 10000 = 100 %" });

/** What a chain write answers once its transaction is confirmed, with the fields the route adds. */
export function chainWriteAnswer<Shape extends z.ZodRawShape = Record<never, never>>(shape: Shape = {} as Shape) {
  return z.object({
    txid: txidField,
    blockHeight: z.int().meta({ description: "The block that confirmed the transaction" }),
    ...shape,
  });
}

/** A page of `item`s; `nextAfter` is the cursor of the next page, null on the last. */
export function pageAnswer<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), nextAfter: z.int().nullable() });
}

/** A list of `item`s without paging. */
export function itemsAnswer<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item) });
}
