import { createTransactionsController } from "@voltstack/chain-sync";
import { TRANSACTION_JOURNAL } from "../infrastructure/tokens.js";

export const TransactionsController = createTransactionsController(TRANSACTION_JOURNAL);
