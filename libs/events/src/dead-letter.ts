import { z } from "zod";
import { eventTypes, type EventType } from "./catalog.js";
import { traceContextSchema } from "./envelope.js";

export const DEAD_LETTER_PREFIX = "dlq.";

/** Where a message of `subject` goes when its consumer gives up on it: `dlq.<subject>`. */
export function deadLetterSubject<T extends string>(subject: T): `dlq.${T}` {
  return `${DEAD_LETTER_PREFIX}${subject}`;
}

export const deadLetterSubjects = eventTypes.map((type) => deadLetterSubject(type)) as `dlq.${EventType}`[];

/**
 * What is published on `dlq.<subject>`: the message a consumer gave up on, why,
 * and after how many deliveries. Not a domain event: it has no envelope of its own.
 */
export const deadLetterSchema = z.object({
  deadLetterId: z.uuid().meta({ description: "Id of the dead-letter record; replay refers to it" }),
  subject: z.string().min(1).meta({ description: "The subject the message was published on" }),
  eventId: z
    .uuid()
    .nullable()
    .meta({ description: "The event's id, or null when the message was not a readable event" }),
  consumer: z.string().min(1).meta({ description: "Durable name of the consumer that gave up" }),
  deliveries: z.int().positive().meta({ description: "How many times the message was delivered" }),
  error: z.object({
    code: z.string().min(1).meta({ description: "Stable machine code, e.g. EVENT_INVALID" }),
    message: z.string().meta({ description: "What went wrong, for a person" }),
  }),
  deadLetteredAt: z.iso.datetime(),
  data: z.string().meta({
    description:
      "The message body as it arrived (UTF-8 text; NUL as U+FFFD), or its start when dataTruncated: the dead-letter record keeps it whole",
  }),
  dataBytes: z.int().nonnegative().meta({ description: "The size of the message body as it arrived, in bytes" }),
  dataTruncated: z.boolean().meta({ description: "Whether data holds only the start of the message body" }),
  traceContext: traceContextSchema.nullable(),
});

export type DeadLetter = z.infer<typeof deadLetterSchema>;
