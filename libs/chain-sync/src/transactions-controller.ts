import { Controller, Get, Inject, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { ApiError, type Caller, CurrentCaller, pageLimit, Roles, ZodParam, ZodQuery } from "@voltstack/service-kit";
import { JOURNAL_STATUSES, type JournalEntry, type TransactionJournal } from "./transaction-journal.js";

const listQuery = z.strictObject({
  status: z.enum(JOURNAL_STATUSES).optional(),
  limit: pageLimit(50),
  offset: z
    .string()
    .regex(/^\d{1,6}$/, { error: "must be a whole number" })
    .transform(Number)
    .default(0),
});

const txidParam = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, { error: "must be a transaction id (64 hex digits)" });

/**
 * The HTTP view of a service's journal of the chain transactions it sent, for the
 * journal its module provides under `journalToken`: admins and operators see all of
 * them, an owner only those it asked for.
 */
export function createTransactionsController(journalToken: symbol | string): Type<unknown> {
  @ApiTags("transactions")
  @Controller("transactions")
  class TransactionsController {
    constructor(@Inject(journalToken) private readonly journal: TransactionJournal) {}

    @Get()
    @Roles("admin", "operator", "owner")
    async list(
      @ZodQuery(listQuery) query: z.output<typeof listQuery>,
      @CurrentCaller() caller: Caller,
    ): Promise<{ items: JournalEntry[] }> {
      const items = await this.journal.list({ ...query, ...(seesAll(caller) ? {} : { requestedBy: caller.id }) });
      return { items };
    }

    @Get(":txid")
    @Roles("admin", "operator", "owner")
    async get(@ZodParam("txid", txidParam) txid: string, @CurrentCaller() caller: Caller): Promise<JournalEntry> {
      const entry = await this.journal.get(txid);
      if (!entry || (!seesAll(caller) && entry.requestedBy !== caller.id)) {
        throw ApiError.notFound("TRANSACTION_NOT_FOUND", `This service sent no transaction ${txid}.`, { txid });
      }
      return entry;
    }
  }
  return TransactionsController;
}

function seesAll(caller: Caller): boolean {
  return caller.roles.includes("admin") || caller.roles.includes("operator");
}
