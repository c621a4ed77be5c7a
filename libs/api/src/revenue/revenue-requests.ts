import { z } from "zod";
import { sharesSchema } from "../fields/shares.js";
import { stacksPrincipal } from "../fields/stacks-principal.js";

/** The contract's own rules, checked before a transaction costs a fee. */
export const setSharesBody = sharesSchema;

export const actAsBody = z.strictObject({ actAs: stacksPrincipal.optional() });

export const formatQuery = z.strictObject({ format: z.enum(["json", "csv"]).optional() });
