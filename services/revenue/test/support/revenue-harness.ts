import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type CallSender,
  CapacityClient,
  FacilityRegistryClient,
  GridServicesClient,
  StacksChain,
} from "@voltstack/chain";
import { createEvent, type EventJson, payloadFromPrint } from "@voltstack/events";
import { loadConfig, startTestService, type TestService } from "@voltstack/service-kit";
import {
  type Account,
  expectDocumentedAnswer,
  type HarnessBase,
  harnessBase,
  type Received,
  startTestEnvironment,
  waitFor as waitForCondition,
} from "@voltstack/service-testing";
import { AppModule } from "../../src/app.module.js";
import { type RevenueConfig, revenueConfigSchema } from "../../src/revenue-config.js";
import { revenueBootstrapOptions } from "../../src/revenue-service.js";

export {
  balanceOf,
  consumerAcknowledged,
  databaseUrl,
  natsUrl,
  publishAsRelay,
  publishAsReplay,
} from "@voltstack/service-testing";
export type { Account, Received };

export const migrationsDir = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

type AccountName = "deployer" | `wallet_${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`;

/** One API key per kind of caller the tests play. */
export interface Callers {
  admin: string;
  owner: string;
  operator: string;
  /** An owner of other facilities (wallet_3). */
  otherOwner: string;
}

/** A grid request fulfilled on chain, and the service.fulfilled event made from its print. */
export interface Fulfilled {
  requestId: number;
  payoutUstx: bigint;
  txid: string;
  blockHeight: number;
  event: EventJson<"service.fulfilled">;
}

/**
 * Mines a block every `intervalMs`, as the devnet's own timer would, except while held:
 * a test holds blocks back so that nothing becomes final until it says so.
 */
export class HeldBlocks {
  #held = false;
  #mining: Promise<unknown> | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly mine: () => Promise<number>,
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => {
      if (this.#held || this.#mining) return;
      this.#mining = this.mine()
        .catch(() => undefined)
        .finally(() => (this.#mining = undefined));
    }, intervalMs);
  }

  /** Mines no more blocks once the one being mined (if any) is done. */
  async hold(): Promise<void> {
    this.#held = true;
    await this.#mining;
  }

  release(): void {
    this.#held = false;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#mining;
  }
}

/**
 * The revenue service as it runs, in this process: a devnet on a free port with short
 * blocks (`blocks` holds them back), a fresh PostgreSQL schema, a unique NATS subject prefix, signer keys in
 * mounted files. `restart` stops the running instance and starts another on the same
 * schema and streams, as a redeploy would. `close` removes everything.
 */
export interface Harness extends HarnessBase<AccountName> {
  chain: StacksChain;
  service: TestService;
  config: RevenueConfig;
  blocks: HeldBlocks;
  keys: Callers;
  startInstance(): Promise<TestService>;
  sender(name: AccountName): Promise<CallSender>;
  close(): Promise<void>;
}

/** `settings` adds to (or overrides) the service's environment, given the accounts. */
export async function startHarness(
  settings: (accounts: Record<AccountName, Account>) => Record<string, string> = () => ({}),
): Promise<Harness> {
  const env = await startTestEnvironment<AccountName>({
    service: "revenue",
    prefixLetters: "rv",
    schemaVariable: "REVENUE_SCHEMA",
    migrationsDir,
    blockIntervalMs: 0,
    accounts: ["deployer", ...([1, 2, 3, 4, 5, 6, 7, 8] as const).map((n) => `wallet_${n}` as const)],
  });
  const { accounts } = env;
  const blocks = new HeldBlocks(() => env.devnet.mineBlock(), 100);
  const keys: Callers = {
    admin: env.apiKey("admin"),
    owner: env.apiKey("owner"),
    operator: env.apiKey("operator"),
    otherOwner: env.apiKey("owner3"),
  };
  const config = loadConfig(revenueConfigSchema, {
    ...env.config,
    // Short, so a delivery left unacknowledged by a stopped instance comes back within the test.
    EVENT_ACK_WAIT_MS: "3000",
    // Short, so batches form soon after the events and a stopped instance's batch is taken over within the test.
    DISTRIBUTION_BATCH_INTERVAL_MS: "200",
    DISTRIBUTION_BATCH_HOLD_MS: "3000",
    DISTRIBUTOR_PRINCIPAL: accounts.deployer.address,
    SIGNER_KEYS: await env.signerKeys({
      admin: accounts.deployer,
      owner: accounts.wallet_1,
      operator: accounts.wallet_2,
    }),
    AUTH_API_KEYS: env.authApiKeys([
      { name: "admin-key", key: keys.admin, role: "admin", principal: accounts.deployer.address },
      { name: "owner-key", key: keys.owner, role: "owner", principal: accounts.wallet_1.address },
      { name: "operator-key", key: keys.operator, role: "operator", principal: accounts.wallet_2.address },
      { name: "owner3-key", key: keys.otherOwner, role: "owner", principal: accounts.wallet_3.address },
    ]),
    ...settings(accounts),
  });

  const chain = new StacksChain({
    network: "devnet",
    url: env.devnet.url,
    contracts: { deployer: accounts.deployer.address },
    confirmation: { timeoutMs: 30_000, pollIntervalMs: 50 },
  });
  const senders = new Map<AccountName, Promise<CallSender>>();
  const instances: TestService[] = [];
  const startInstance = async (): Promise<TestService> => {
    const service = await startTestService(AppModule, { ...revenueBootstrapOptions(config), logger: false });
    instances.push(service);
    return service;
  };
  const service = await startInstance();

  return {
    ...harnessBase(env),
    chain,
    service,
    config,
    blocks,
    keys,
    startInstance,
    sender(name) {
      let found = senders.get(name);
      if (!found) {
        found = chain.signer({ privateKey: accounts[name].secretKey }).then((signer) => chain.callSender(signer));
        senders.set(name, found);
      }
      return found;
    },
    async close() {
      for (const instance of instances) await instance.close().catch(() => undefined);
      await blocks.stop();
      await env.close();
    },
  };
}

/**
 * An approved facility of `owner` (wallet_1) with wallet_2 as its operator and stored
 * energy, driven straight through libs/chain's typed clients.
 */
export async function approvedFacility(h: Harness, owner: AccountName = "wallet_1"): Promise<number> {
  const ownerSender = await h.sender(owner);
  const registered = await new FacilityRegistryClient(h.chain, { sender: ownerSender }).registerFacility({
    name: "Harbour Battery",
    location: "Rotterdam, NL",
    capacityKwh: 2_000n,
    maxPowerKw: 500n,
  });
  const facilityId = registered.value;
  await new FacilityRegistryClient(h.chain, { sender: await h.sender("deployer") }).approveFacility(facilityId);
  const registry = new FacilityRegistryClient(h.chain, { sender: ownerSender });
  await registry.setOperator(facilityId, h.accounts.wallet_2.address, true);
  await new CapacityClient(h.chain, { sender: ownerSender }).initializeCapacity(facilityId, 1_500n);
  return Number(facilityId);
}

/**
 * A real fulfilment: the admin creates a request escrowing `paymentUstx`, the operator
 * accepts it for the facility, the admin fulfils it with `performanceBps`; the event is
 * built with libs/events from the fulfilment's print, as the grid service would.
 */
export async function fulfilRequest(
  h: Harness,
  facilityId: number,
  paymentUstx: bigint,
  performanceBps = 10_000n,
): Promise<Fulfilled> {
  return fulfilAccepted(h, await acceptedRequest(h, facilityId, paymentUstx), performanceBps);
}

/** A request escrowing `paymentUstx`, created by the admin and accepted by the operator for the facility; its id. */
export async function acceptedRequest(h: Harness, facilityId: number, paymentUstx: bigint): Promise<number> {
  const admin = new GridServicesClient(h.chain, { sender: await h.sender("deployer") });
  const operator = new GridServicesClient(h.chain, { sender: await h.sender("wallet_2") });
  const tip = await h.chain.api.getTipHeight();
  const created = await admin.createServiceRequest({
    serviceType: "frequency-regulation",
    powerKw: 100n,
    energyKwh: 200n,
    paymentUstx,
    expiresAt: BigInt(tip + 1_000),
  });
  await operator.acceptRequest(created.value, BigInt(facilityId));
  return Number(created.value);
}

/** The admin fulfils an accepted request; the service.fulfilled event made from its print. */
export async function fulfilAccepted(h: Harness, requestId: number, performanceBps = 10_000n): Promise<Fulfilled> {
  const admin = new GridServicesClient(h.chain, { sender: await h.sender("deployer") });
  const fulfilled = await admin.fulfillRequest(BigInt(requestId), performanceBps);
  const print = fulfilled.events.find(
    (event) => event.contract === "grid-services" && event.payload.topic === "service-fulfilled",
  );
  if (!print) throw new Error(`fulfilment ${fulfilled.txid} printed no service-fulfilled`);
  const txid = `0x${fulfilled.txid.replace(/^0x/, "")}`;
  const payload = payloadFromPrint("service.fulfilled", print.payload as unknown as Record<string, unknown>);
  const event = createEvent("service.fulfilled", payload, {
    eventId: randomUUID(),
    chain: { txId: txid, blockHeight: fulfilled.blockHeight },
    occurredAt: new Date().toISOString(),
    traceContext: { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` },
  });
  return {
    requestId,
    payoutUstx: fulfilled.value,
    txid,
    blockHeight: fulfilled.blockHeight,
    event,
  };
}

/** Polls `condition` until it holds; the chain round trips here get 20 s unless told. */
export function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  return waitForCondition(what, condition, timeoutMs);
}

/** An HTTP call to the service; `key` sends it as that caller. */
export async function call(
  service: TestService,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string; accept?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string; contentType: string | null }> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined || options.rawBody !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.accept ? { accept: options.accept } : {}),
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type");
  const body = contentType?.includes("json") && text ? (JSON.parse(text) as Record<string, unknown>) : {};
  await expectDocumentedAnswer(service.baseUrl, {
    method,
    path,
    status: response.status,
    body: contentType?.includes("json") ? body : text,
    ...(contentType ? { contentType } : {}),
  });
  return { status: response.status, body, text, contentType };
}
