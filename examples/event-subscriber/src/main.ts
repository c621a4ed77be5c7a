// Prints voltstack's events as they are published, one line each:
//
//   NATS_URL=nats://127.0.0.1:4222 npm start -w examples/event-subscriber
//
// NATS_URL (default nats://127.0.0.1:4222), SUBJECT_PREFIX (the services' own, if they
// run with one), EVENT_SUBJECTS (comma-separated catalog subjects, default
// revenue.distributed,service.fulfilled) and SUBSCRIBER_NAME (names the durable
// consumers, default example-subscriber) configure it.
import { connect } from "@nats-io/transport-node";
import { type EventType, isEventType } from "@voltstack/events";
import { describeEvent } from "./describe-event.js";
import { startEventSubscriber } from "./event-subscriber.js";

const subjects = (process.env.EVENT_SUBJECTS ?? "revenue.distributed,service.fulfilled")
  .split(",")
  .map((subject) => subject.trim())
  .filter((subject) => subject !== "");
const unknown = subjects.filter((subject) => !isEventType(subject));
if (unknown.length > 0) {
  console.error(`EVENT_SUBJECTS names subjects the event catalog does not have: ${unknown.join(", ")}`);
  process.exit(1);
}

const nats = await connect({
  servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  name: "example-subscriber",
});
const subscriber = await startEventSubscriber({
  nats,
  name: process.env.SUBSCRIBER_NAME ?? "example-subscriber",
  subjects: subjects as EventType[],
  subjectPrefix: process.env.SUBJECT_PREFIX,
  handle: (event) => console.log(describeEvent(event)),
  report: (outcome) => {
    if (outcome.kind === "duplicate") console.log(`(already handled ${outcome.subject} ${outcome.eventId})`);
    if (outcome.kind === "refused")
      console.error(`refused ${outcome.subject} #${outcome.streamSequence}: ${outcome.reason}`);
    if (outcome.kind === "retrying")
      console.error(`retrying ${outcome.subject} ${outcome.eventId} in ${outcome.delayMs} ms`);
  },
});
for (const { subject, stream, durable } of subscriber.consumers) {
  console.log(`listening to ${subject} (stream ${stream}, consumer ${durable})`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void subscriber
      .stop()
      .then(() => nats.drain())
      .then(() => process.exit(0));
  });
}
