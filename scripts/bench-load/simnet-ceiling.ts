// The ceiling of the per-request path: the same four contract calls per fulfilment
// (create-service-request, accept-request, fulfill-request, and distribute-pools paying
// the payout, one line, as the revenue service pays it but unbatched) made in-process on
// the Clarinet SDK's simnet, one block per call, with no HTTP, signing, mempool, database
// or messaging in between.
import { initSimnet } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, cvToString, type ClarityValue } from "@stacks/transactions";
import { FACILITY, payoutOf, REQUEST, SHARE_BPS } from "./workload.js";

export interface CeilingResult {
  fulfilments: number;
  facilities: number;
  elapsedMs: number;
  fulfilmentsPerS: number;
  callsPerS: number;
}

export async function measureSimnetCeiling(facilities: number, fulfilments: number): Promise<CeilingResult> {
  // The SDK echoes every Clarity print to console.log; the benchmark's output stays readable.
  const log = console.log;
  console.log = () => undefined;
  try {
    const simnet = await initSimnet("./Clarinet.toml", true, { trackCosts: false, trackCoverage: false });
    const accounts = simnet.getAccounts();
    const admin = accounts.get("deployer")!;
    const owner = accounts.get("wallet_1")!;
    const stakeholders = ["wallet_3", "wallet_4", "wallet_5"].map((name) => accounts.get(name)!);
    const call = (contract: string, fn: string, args: ClarityValue[], sender: string): ClarityValue => {
      const { result } = simnet.callPublicFn(contract, fn, args, sender);
      if (result.type !== ClarityType.ResponseOk) {
        throw new Error(`simnet ceiling: ${contract}.${fn} answered ${cvToString(result)}`);
      }
      return result.value;
    };

    const ids: ClarityValue[] = [];
    for (let index = 0; index < facilities; index += 1) {
      const id = call(
        "facility-registry",
        "register-facility",
        [
          Cl.stringUtf8(`Ceiling battery ${index + 1}`),
          Cl.stringUtf8("bench"),
          Cl.uint(FACILITY.capacityKwh),
          Cl.uint(FACILITY.maxPowerKw),
        ],
        owner,
      );
      call("facility-registry", "approve-facility", [id], admin);
      call("capacity-tracking", "initialize-capacity", [id, Cl.uint(FACILITY.storedKwh)], owner);
      const shares = Cl.list(
        stakeholders.map((stakeholder, share) =>
          Cl.tuple({ stakeholder: Cl.principal(stakeholder), "share-bps": Cl.uint(SHARE_BPS[share]!) }),
        ),
      );
      call("revenue-sharing", "set-stakeholder-shares", [id, shares], owner);
      ids.push(id);
    }

    const payout = payoutOf(REQUEST.paymentUstx, REQUEST.performanceBps);
    const started = performance.now();
    for (let index = 0; index < fulfilments; index += 1) {
      const facilityId = ids[index % ids.length]!;
      const requestId = call(
        "grid-services",
        "create-service-request",
        [
          Cl.stringAscii(REQUEST.serviceType),
          Cl.uint(REQUEST.powerKw),
          Cl.uint(REQUEST.energyKwh),
          Cl.uint(REQUEST.paymentUstx),
          Cl.uint(simnet.blockHeight + REQUEST.expiresInBlocks),
        ],
        admin,
      );
      call("grid-services", "accept-request", [requestId, facilityId], owner);
      call("grid-services", "fulfill-request", [requestId, Cl.uint(REQUEST.performanceBps)], admin);
      const line = Cl.tuple({ "facility-id": facilityId, amount: Cl.uint(payout) });
      call("revenue-sharing", "distribute-pools", [Cl.list([line])], admin);
    }
    const elapsedMs = performance.now() - started;
    return {
      fulfilments,
      facilities,
      elapsedMs,
      fulfilmentsPerS: fulfilments / (elapsedMs / 1000),
      callsPerS: (4 * fulfilments) / (elapsedMs / 1000),
    };
  } finally {
    console.log = log;
  }
}
