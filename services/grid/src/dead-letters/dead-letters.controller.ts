import { createDeadLettersController } from "@voltstack/chain-sync";
import { DEAD_LETTER_STORE } from "../infrastructure/tokens.js";

export const DeadLettersController = createDeadLettersController(DEAD_LETTER_STORE);
