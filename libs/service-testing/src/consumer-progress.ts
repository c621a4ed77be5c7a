import { jetstreamManager } from "@nats-io/jetstream";
import { eventStreams } from "@voltstack/events";
import { durableName, SubjectNaming } from "@voltstack/messaging";
import type { HasStreams } from "./event-publishing.js";
import { waitFor } from "./wait-for.js";

/** The service's durable consumer of `subject`, and the name of the stream it reads under the harness's prefix. */
function consumerOf(harness: HasStreams, service: string, subject: string): { stream: string; durable: string } {
  const stream = Object.values(eventStreams).find((candidate) =>
    candidate.subjects.some((filter) => subject.startsWith(filter.replace(/>$/, ""))),
  );
  if (!stream) throw new Error(`no stream holds ${subject}`);
  return {
    stream: new SubjectNaming(harness.subjectPrefix).streamName(stream.name),
    durable: durableName(service, subject),
  };
}

/** Resolves once `service`'s consumer of `subject` has acknowledged every message up to stream sequence `seq`. */
export async function consumerAcknowledged(
  harness: HasStreams,
  service: string,
  subject: string,
  seq: number,
  timeoutMs?: number,
): Promise<void> {
  const { stream, durable } = consumerOf(harness, service, subject);
  const jsm = await jetstreamManager(harness.nats);
  await waitFor(
    `${service}'s consumer of ${subject} to acknowledge message ${seq}`,
    async () => {
      const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
      return info !== undefined && info.ack_floor.stream_seq >= seq;
    },
    timeoutMs,
  );
}

/** Resolves once `service`'s consumer of `subject` has nothing left to deliver and nothing awaiting acknowledgement. */
export async function consumerCaughtUp(harness: HasStreams, service: string, subject: string): Promise<void> {
  const { stream, durable } = consumerOf(harness, service, subject);
  const jsm = await jetstreamManager(harness.nats);
  await waitFor(`${service}'s consumer of ${subject} to catch up`, async () => {
    const info = await jsm.consumers.info(stream, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}
