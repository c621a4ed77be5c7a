import { runDemo } from "@voltstack/cli";
import { SERVICE_NAMES, type ServiceName } from "@voltstack/client";
import {
  type PrivateNats,
  type PrivatePostgres,
  startPrivateNats,
  startPrivatePostgres,
} from "@voltstack/service-testing";
import { startSystem, type SystemUnderTest } from "../../e2e/system-under-test.js";
import { ChainReader } from "./chain-reader.js";

/** The whole system on servers of the suite's own, with the facility the fulfilments use. */
export interface ChaosSystem {
  nats: PrivateNats;
  postgres: PrivatePostgres;
  system: SystemUnderTest;
  chain: ChainReader;
  /** Approved, capacity initialised, shares 50/30/20 to the stakeholders: ready for fulfilments. */
  facilityId: number;
  stakeholders: string[];
  /** Whether every service answers its readiness probe with 200. */
  allReady(): Promise<boolean>;
  close(): Promise<void>;
}

// Recovery in seconds instead of minutes, so a bounded test can wait for it: a transaction
// left pending by a killed service is looked at again after 5 s, a dead holder's signing
// lease expires after 10 s. Everything else keeps the services' defaults.
const CHAOS_SERVICE_ENV = { CHAIN_STUCK_AFTER_MS: "5000", SIGNING_LEASE_TTL_MS: "10000" };

export async function startChaosSystem(log: (line: string) => void): Promise<ChaosSystem> {
  const nats = await startPrivateNats();
  let postgres: PrivatePostgres | undefined;
  let system: SystemUnderTest | undefined;
  try {
    postgres = await startPrivatePostgres();
    log(`private NATS at ${nats.url}, private PostgreSQL at ${postgres.url}`);
    system = await startSystem(CHAOS_SERVICE_ENV, {
      databaseUrl: postgres.url,
      natsUrl: nats.url,
      persistChain: true,
    });
    const running = system;
    const deployer = running.stack.devnet.accounts.get("deployer")!.address;
    const chain = new ChainReader(() => running.stack.devnet.url, deployer);
    const stakeholders = running.stack.stakeholders;
    const report = await runDemo({
      urls: running.urls,
      devnetUrl: running.stack.devnet.url,
      callers: {
        admin: running.caller("admin"),
        ownerA: running.caller("owner-1"),
        ownerB: running.caller("owner-2"),
      },
      stakeholders: stakeholders as [string, string, string],
    });
    log(`facility ${report.facilityIds[0]} ready for fulfilments`);
    const servers = { nats, postgres };
    return {
      ...servers,
      system: running,
      chain,
      facilityId: report.facilityIds[0],
      stakeholders,
      allReady: async () => {
        const client = running.client();
        const ready = await Promise.all(SERVICE_NAMES.map((name: ServiceName) => client.ready(name)));
        return ready.every(Boolean);
      },
      close: () => closeAll(running, servers.nats, servers.postgres),
    };
  } catch (error) {
    await closeAll(system, nats, postgres);
    throw error;
  }
}

/** Stops everything even when a part fails to stop: no process or directory is left behind. */
async function closeAll(
  system: SystemUnderTest | undefined,
  nats: PrivateNats,
  postgres: PrivatePostgres | undefined,
): Promise<void> {
  const failures: unknown[] = [];
  if (system) {
    // The servers are started again if a test left them down, so the system can stop cleanly.
    await nats.start().catch((error: unknown) => failures.push(error));
    await system.close().catch(async (error: unknown) => {
      failures.push(error);
      await system.miner.stop();
      await system.stack.stop().catch((stopError: unknown) => failures.push(stopError));
    });
  }
  await nats.close().catch((error: unknown) => failures.push(error));
  await postgres?.close().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw new AggregateError(failures, "the chaos system did not close cleanly");
}
