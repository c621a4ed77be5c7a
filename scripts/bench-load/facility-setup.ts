import type { ApiRequestError } from "@voltstack/client";
import { eachLimited, type HttpWrites } from "./http-writes.js";
import { FACILITY, SHARE_BPS } from "./workload.js";

export interface Owner {
  apiKey: string;
  principal: string;
}

export interface BenchFacility {
  facilityId: number;
  owner: Owner;
}

// Another service learns of a facility from an event: until it has, it answers 404.
const notHeardOfYet = (error: ApiRequestError) => error.status === 404;

/**
 * Registers `count` facilities over HTTP, alternating between the owners, and makes each
 * ready to earn: approved (admin), capacity initialised and three stakeholders' shares
 * set (its owner). `concurrency` facilities are set up at once.
 */
export async function setUpFacilities(options: {
  writes: HttpWrites;
  count: number;
  label: string;
  owners: readonly Owner[];
  admin: Owner;
  stakeholders: readonly string[];
  concurrency: number;
}): Promise<BenchFacility[]> {
  const { writes, owners, admin } = options;
  const shares = options.stakeholders.slice(0, SHARE_BPS.length).map((stakeholder, index) => ({
    stakeholder,
    shareBps: SHARE_BPS[index]!,
  }));
  const facilities: BenchFacility[] = [];
  const indexes = Array.from({ length: options.count }, (_, index) => index);
  await eachLimited(indexes, options.concurrency, async (index) => {
    const owner = owners[index % owners.length]!;
    const { facilityId } = await writes.write("register", owner.apiKey, (client) =>
      client.facilities.register({
        owner: owner.principal,
        name: `${options.label} battery ${index + 1}`,
        location: `Bench feeder ${index + 1}`,
        capacityKwh: FACILITY.capacityKwh,
        maxPowerKw: FACILITY.maxPowerKw,
      }),
    );
    await writes.write("approve", admin.apiKey, (client) => client.facilities.approve(facilityId));
    await writes.write(
      "initialise capacity",
      owner.apiKey,
      (client) => client.capacity.initialize(facilityId, { storedKwh: FACILITY.storedKwh }),
      notHeardOfYet,
    );
    await writes.write(
      "set shares",
      owner.apiKey,
      (client) => client.revenue.setShares(facilityId, shares),
      notHeardOfYet,
    );
    facilities.push({ facilityId, owner });
  });
  return facilities.sort((a, b) => a.facilityId - b.facilityId);
}
