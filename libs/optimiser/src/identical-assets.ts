import type { BatteryAsset, ScheduleProblem } from "./problem.js";

/**
 * A fleet with batteries that differ only in their id, solved as one battery per kind.
 *
 * Why it is exact for the LP: given any optimal schedule of the fleet, giving every member of a
 * kind the average of their schedules keeps each member within its limits (the limits of
 * identical batteries are the same convex set), leaves the fleet's per-step totals and so the
 * shared limit unchanged, and earns the same (revenue is linear). So an optimal schedule exists
 * in which identical batteries do the same, and that schedule is a battery k times larger split k
 * ways. Not for the MILP: there, one member charging while another discharges can pay, which
 * one larger battery cannot do, so the MILP is built from the fleet as given.
 */
export interface GroupedFleet {
  /** One asset per kind, every kW and kWh multiplied by the number of its members. */
  problem: ScheduleProblem;
  /** For each asset of the original problem, the index of its kind in `problem.assets`. */
  kindOf: number[];
  /** Members of each kind. */
  members: number[];
}

export function groupIdenticalAssets(problem: ScheduleProblem): GroupedFleet {
  const kindByKey = new Map<string, number>();
  const representatives: BatteryAsset[] = [];
  const members: number[] = [];
  const kindOf = problem.assets.map((asset) => {
    const key = JSON.stringify({ ...asset, id: "" });
    let kind = kindByKey.get(key);
    if (kind === undefined) {
      kind = representatives.length;
      kindByKey.set(key, kind);
      representatives.push(asset);
      members.push(0);
    }
    members[kind] = members[kind]! + 1;
    return kind;
  });
  return {
    problem: { ...problem, assets: representatives.map((asset, kind) => scaledAsset(asset, members[kind]!)) },
    kindOf,
    members,
  };
}

/** The same battery `factor` times over: every kW and kWh scaled, every ratio and price kept. */
function scaledAsset(asset: BatteryAsset, factor: number): BatteryAsset {
  if (factor === 1) return asset;
  return {
    ...asset,
    capacityKwh: asset.capacityKwh * factor,
    initialKwh: asset.initialKwh * factor,
    minKwh: asset.minKwh * factor,
    maxKwh: asset.maxKwh * factor,
    maxChargeKw: asset.maxChargeKw * factor,
    maxDischargeKw: asset.maxDischargeKw * factor,
    ...(asset.endKwh === undefined ? {} : { endKwh: asset.endKwh * factor }),
    ...(asset.reserveCommitments === undefined
      ? {}
      : {
          reserveCommitments: asset.reserveCommitments.map((reserve) => ({
            ...reserve,
            upKw: reserve.upKw * factor,
            downKw: reserve.downKw * factor,
          })),
        }),
    ...(asset.reserveOffers === undefined
      ? {}
      : { reserveOffers: asset.reserveOffers.map((offer) => ({ ...offer, maxKw: offer.maxKw * factor })) }),
  };
}
