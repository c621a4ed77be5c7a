import { itemsAnswer, journalEntryAnswer, listTransactionsQuery, txidParam } from "@voltstack/api";
import { Controller, Get, Inject, type Type } from "@nestjs/common";
import { ApiTags } from "@nestjs/swagger";
import type { z } from "zod";
import { ApiError, type Caller, CurrentCaller, Operation, Roles, ZodParam, ZodQuery } from "@voltstack/service-kit";
import type { JournalEntry, TransactionJournal } from "./transaction-journal.js";

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

    @Operation({
      summary:
        "The chain transactions this service sent, newest first: all of them for admins and operators, an owner's own otherwise.",
      answers: itemsAnswer(journalEntryAnswer),
    })
    @Get()
    @Roles("admin", "operator", "owner")
    async list(
      @ZodQuery(listTransactionsQuery) query: z.output<typeof listTransactionsQuery>,
      @CurrentCaller() caller: Caller,
    ): Promise<{ items: JournalEntry[] }> {
      const items = await this.journal.list({ ...query, ...(seesAll(caller) ? {} : { requestedBy: caller.id }) });
      return { items };
    }

    @Operation({
      summary: "One chain transaction this service sent, with how it ended (an owner sees only its own).",
      answers: journalEntryAnswer,
      refuses: [{ TRANSACTION_NOT_FOUND: 404 }],
    })
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
