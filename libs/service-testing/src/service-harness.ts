import type { TestService } from "@voltstack/service-kit";
import type { DefaultAccountName, HarnessBase, TestEnvironment } from "./test-environment.js";

/** A service started on a test environment, as its integration tests hold it. */
export interface ServiceHarness<Keys, A extends string = DefaultAccountName> extends HarnessBase<A> {
  service: TestService;
  /** One API key per kind of caller the tests play. */
  keys: Keys;
  /** The name of the stream the service publishes on, under the environment's prefix. */
  streamName: string;
  /** Closes the service, then the environment. */
  close(): Promise<void>;
}

/** The part of a test environment a harness exposes. */
export function harnessBase<A extends string>(env: TestEnvironment<A>): HarnessBase<A> {
  return {
    devnet: env.devnet,
    db: env.db,
    accounts: env.accounts,
    received: env.received,
    subjectPrefix: env.subjectPrefix,
    schema: env.schema,
    nats: env.nats,
  };
}

/** The harness of `service`, running on `env` and publishing on `stream`. */
export function serviceHarness<Keys, A extends string>(
  env: TestEnvironment<A>,
  service: TestService,
  options: { keys: Keys; stream: string },
): ServiceHarness<Keys, A> {
  return {
    ...harnessBase(env),
    service,
    keys: options.keys,
    streamName: env.streamName(options.stream),
    async close() {
      await service.close();
      await env.close();
    },
  };
}
