import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { broadcastTransaction, type ClarityValue, makeContractCall, PostConditionMode } from "@stacks/transactions";
import type { EventJson } from "@voltstack/events";
import { durableName, EVENT_ID_HEADER, SubjectNaming } from "@voltstack/messaging";
import { loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import {
  type Account,
  type HarnessBase,
  type Received,
  startTestEnvironment,
  waitFor,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { flowConfigSchema } from "../../src/flow-config.js";
import { flowBootstrapOptions } from "../../src/flow-service.js";

export { call, databaseUrl, natsUrl, waitFor } from "@voltstack/service-testing";
export type { Account, Received };

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities. */
  stranger: string;
  /** Role admin in the API, but wallet_3 is no admin on chain (its key is held, so a slip would cost it a fee). */
  formerAdmin: string;
}

/**
 * The flow service as it runs, in this process: a devnet on a free port with
 * short blocks, a fresh PostgreSQL schema migrated by the runner, a unique NATS subject
 * prefix (so its own streams), signer keys in mounted files. `close` removes them all.
 */
export interface Harness extends HarnessBase {
  service: TestService;
  keys: Callers;
  streamName: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const env = await startTestEnvironment({
    service: "flow",
    prefixLetters: "ft",
    schemaVariable: "FLOW_SCHEMA",
    migrationsDir,
  });
  const { accounts } = env;
  const keys: Callers = {
    admin: env.apiKey("admin"),
    owner: env.apiKey("owner"),
    operator: env.apiKey("operator"),
    stranger: env.apiKey("stranger"),
    formerAdmin: env.apiKey("formerAdmin"),
  };
  const config = loadConfig(flowConfigSchema, {
    ...env.config,
    SIGNER_KEYS: await env.signerKeys({
      admin: accounts.deployer,
      owner: accounts.wallet_1,
      operator: accounts.wallet_2,
      stranger: accounts.wallet_3,
    }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: keys.admin, role: "admin", principal: accounts.deployer.address },
      { name: "owner-key", key: keys.owner, role: "owner", principal: accounts.wallet_1.address },
      { name: "operator-key", key: keys.operator, role: "operator", principal: accounts.wallet_2.address },
      { name: "stranger-key", key: keys.stranger, role: "owner", principal: accounts.wallet_3.address },
      { name: "former-admin-key", key: keys.formerAdmin, role: "admin", principal: accounts.wallet_3.address },
    ]),
  });

  const service = await startTestService(AppModule, { ...flowBootstrapOptions(config), logger: false });

  return {
    devnet: env.devnet,
    service,
    db: env.db,
    keys,
    accounts,
    received: env.received,
    subjectPrefix: env.subjectPrefix,
    schema: env.schema,
    streamName: env.streamName("FLOW"),
    nats: env.nats,
    async close() {
      await service.close();
      await env.close();
    },
  };
}

/** A contract call signed by `account`'s own wallet, straight to the devnet; resolves once it is confirmed. */
export async function walletCall(
  harness: Harness,
  account: Account,
  contractName: string,
  functionName: string,
  functionArgs: ClarityValue[],
): Promise<{ txid: string; blockHeight: number; result: string }> {
  const client = { baseUrl: harness.devnet.url };
  const transaction = await makeContractCall({
    contractAddress: harness.accounts.deployer.address,
    contractName,
    functionName,
    functionArgs,
    senderKey: account.secretKey,
    network: "devnet",
    client,
    fee: 10_000,
    postConditionMode: PostConditionMode.Deny,
  });
  const broadcast = await broadcastTransaction({ transaction, network: "devnet", client });
  if ("error" in broadcast) throw new Error(`${functionName} refused: ${JSON.stringify(broadcast)}`);
  const txid = `0x${broadcast.txid.replace(/^0x/, "")}`;
  return waitFor(`${functionName} ${txid} confirmed`, async () => {
    const response = await fetch(`${harness.devnet.url}/extended/v1/tx/${txid}`);
    if (!response.ok) return undefined;
    const tx = (await response.json()) as { tx_status: string; block_height: number; tx_result: { repr: string } };
    if (tx.tx_status === "pending") return undefined;
    if (tx.tx_status !== "success") throw new Error(`${functionName} failed: ${tx.tx_result.repr}`);
    return { txid, blockHeight: tx.block_height, result: tx.tx_result.repr };
  });
}

/**
 * Publishes an event as its producer's relay would (msgID = event id). `redeliver`
 * publishes it again as a replay does (header Event-Id, no msgID), so JetStream keeps
 * both copies and consumers receive it twice. Resolves with the stream sequence.
 */
export async function publishEvent(harness: Harness, event: EventJson, redeliver = false): Promise<number> {
  const js = jetstream(harness.nats);
  const subject = `${harness.subjectPrefix}${event.type}`;
  const data = JSON.stringify(event);
  if (!redeliver) return (await js.publish(subject, data, { msgID: event.eventId })).seq;
  const headers = natsHeaders();
  headers.set(EVENT_ID_HEADER, event.eventId);
  return (await js.publish(subject, data, { headers })).seq;
}

/** Waits until the flow service's consumer of `subject` acknowledged stream sequence `seq`. */
export async function waitForAck(harness: Harness, stream: string, subject: string, seq: number): Promise<void> {
  const jsm = await jetstreamManager(harness.nats);
  const name = new SubjectNaming(harness.subjectPrefix).streamName(stream);
  await waitFor(`flow's consumer of ${subject} to acknowledge ${seq}`, async () => {
    const info = await jsm.consumers.info(name, durableName("flow", subject)).catch(() => undefined);
    return info !== undefined && info.ack_floor.stream_seq >= seq;
  });
}
