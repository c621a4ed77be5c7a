import { z } from "zod";
import { PG_INTEGER_MAX } from "../fields/request-fields.js";

/** A grid service request's id in a path: the fulfilment a distribution is owed to. */
export const gridRequestIdParam = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "must be a grid request id (a positive whole number)" })
  .transform(Number)
  .pipe(z.number().max(PG_INTEGER_MAX, { error: "is not a grid request id" }));
