// Prints voltstack's events as they are published, one line each:
//
//   NATS_URL=nats://127.0.0.1:4222 npm start -w examples/event-subscriber
//
// NATS_URL (default nats://127.0.0.1:4222), SUBJECT_PREFIX (the services' own; default: the
// one `npm start` recorded in .voltstack/stack.json, if there is one), EVENT_SUBJECTS (comma-separated catalog subjects, default
// revenue.distributed,service.fulfilled), SUBSCRIBER_NAME (names the durable
// consumers, default example-subscriber) and STACKS_NETWORK with CONTRACT_DEPLOYER (the
// deployment whose events are wanted; events of another are skipped; default: the local
// devnet's) configure it.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { type DeploymentRef, type EventType, isEventType } from "@voltstack/events";
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

/**
 * The subject prefix of the local system `npm start` runs from this folder: the running
 * stack's, else the one this checkout always uses (.voltstack/instance.json), so the
 * subscriber also starts while the system is stopped.
 */
function localSubjectPrefix(): string | undefined {
  // `npm start -w examples/event-subscriber` runs here; npm names the folder it was started from.
  const from = process.env.INIT_CWD ?? process.cwd();
  const state = resolve(from, process.env.VOLTSTACK_HOME ?? ".voltstack");
  for (const file of ["stack.json", "instance.json"]) {
    try {
      const { subjectPrefix } = JSON.parse(readFileSync(join(state, file), "utf8")) as { subjectPrefix?: string };
      if (subjectPrefix !== undefined) return subjectPrefix;
    } catch {
      // not there: the next, or no prefix
    }
  }
  return undefined;
}

// Clarinet's devnet deployer: the local system's contracts.
const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const network = process.env.STACKS_NETWORK ?? "devnet";
if (network !== "devnet" && network !== "testnet" && network !== "mainnet") {
  console.error(`STACKS_NETWORK must be devnet, testnet or mainnet, not ${network}`);
  process.exit(1);
}
const deployment: DeploymentRef = { network, deployer: process.env.CONTRACT_DEPLOYER ?? DEVNET_DEPLOYER };

const nats = await connect({
  servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  name: "example-subscriber",
});
const subscriber = await startEventSubscriber({
  nats,
  name: process.env.SUBSCRIBER_NAME ?? "example-subscriber",
  subjects: subjects as EventType[],
  subjectPrefix: process.env.SUBJECT_PREFIX ?? localSubjectPrefix(),
  deployment,
  handle: (event) => console.log(describeEvent(event)),
  report: (outcome) => {
    if (outcome.kind === "duplicate") console.log(`(already handled ${outcome.subject} ${outcome.eventId})`);
    if (outcome.kind === "other-deployment")
      console.log(
        `(skipped ${outcome.subject} ${outcome.eventId} of ${outcome.deployment.network} ${outcome.deployment.deployer})`,
      );
    if (outcome.kind === "refused")
      console.error(`refused ${outcome.subject} #${outcome.streamSequence}: ${outcome.reason}`);
    if (outcome.kind === "retrying")
      console.error(`retrying ${outcome.subject} ${outcome.eventId} in ${outcome.delayMs} ms`);
  },
});
console.log(`events of ${deployment.network} ${deployment.deployer} only`);
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
