import { beforeAll, describe, expect, it } from "vitest";
import { type InProcessSolver, createInProcessSolver } from "../src/index.js";
import { battery } from "./battery-fixture.js";

let solver: InProcessSolver;
beforeAll(async () => {
  solver = await createInProcessSolver();
});

const CHEAP = 20_000;
const DEAR = 100_000;

describe("schedules small enough to solve by hand", () => {
  it("a two-price day charges 10 kWh while cheap and sells it while dear: revenue 10 x (100,000 - 20,000)", () => {
    const result = solver.solve({ stepMinutes: 60, energyPrices: [CHEAP, CHEAP, DEAR, DEAR], assets: [battery()] });
    const [asset] = result.assets;
    expect(asset!.chargeKw).toEqual([5, 5, 0, 0]);
    expect(asset!.dischargeKw).toEqual([0, 0, 5, 5]);
    expect(asset!.storedKwh).toEqual([5, 10, 5, 0]);
    expect(result.expectedRevenueMicroStx).toBe(800_000);
    expect(result.mixedInteger).toBe(false);
  });

  it("degradation is charged on every kWh through the terminals: 20 kWh at 1,000 takes 20,000 off", () => {
    const result = solver.solve({
      stepMinutes: 60,
      energyPrices: [CHEAP, CHEAP, DEAR, DEAR],
      assets: [battery({ degradationCostPerKwh: 1_000 })],
    });
    expect(result.expectedRevenueMicroStx).toBe(780_000);
  });

  it("with no spread and a wear cost nothing moves and nothing is earned", () => {
    const result = solver.solve({
      stepMinutes: 15,
      energyPrices: Array.from({ length: 8 }, () => 50_000),
      assets: [battery({ degradationCostPerKwh: 1 })],
    });
    expect(result.assets[0]!.chargeKw.every((kw) => kw === 0)).toBe(true);
    expect(result.assets[0]!.dischargeKw.every((kw) => kw === 0)).toBe(true);
    expect(result.expectedRevenueMicroStx).toBe(0);
  });

  it("a binding up-reserve (2 kW for 2 h) caps discharge at 3 kW and keeps 4 kWh stored: 500,000 instead of 900,000", () => {
    const prices = [CHEAP, CHEAP, DEAR, DEAR];
    const free = solver.solve({ stepMinutes: 60, energyPrices: prices, assets: [battery({ initialKwh: 5 })] });
    expect(free.expectedRevenueMicroStx).toBe(900_000);
    const reserved = solver.solve({
      stepMinutes: 60,
      energyPrices: prices,
      assets: [
        battery({
          initialKwh: 5,
          reserveCommitments: [{ product: "ffr", upKw: 2, downKw: 0, durationMinutes: 120 }],
        }),
      ],
    });
    const [asset] = reserved.assets;
    expect(reserved.expectedRevenueMicroStx).toBe(500_000);
    expect(Math.max(...asset!.dischargeKw)).toBe(3);
    expect(Math.min(...asset!.storedKwh)).toBe(4);
    expect(asset!.reserveUpKw).toEqual([2, 2, 2, 2]);
  });

  it("a spread smaller than the round-trip loss (0.9 x 0.9) is not traded; a larger one is, net of losses", () => {
    const lossy = battery({ chargeEfficiency: 0.9, dischargeEfficiency: 0.9 });
    const narrow = solver.solve({ stepMinutes: 60, energyPrices: [90_000, DEAR], assets: [lossy] });
    expect(narrow.assets[0]!.chargeKw).toEqual([0, 0]);
    expect(narrow.expectedRevenueMicroStx).toBe(0);
    // 5 kW bought at 50,000 stores 4.5 kWh, which delivers 4.05 kWh at 100,000: 405,000 - 250,000.
    const wide = solver.solve({ stepMinutes: 60, energyPrices: [50_000, DEAR], assets: [lossy] });
    expect(wide.assets[0]!.dischargeKw[1]).toBeCloseTo(4.05, 6);
    expect(wide.expectedRevenueMicroStx).toBe(155_000);
  });

  it("negative prices pay the battery to charge, and it never charges and discharges in the same step", () => {
    const lossy = battery({ initialKwh: 5, chargeEfficiency: 0.9, dischargeEfficiency: 0.9 });
    const result = solver.solve({ stepMinutes: 60, energyPrices: [-50_000, -50_000, DEAR], assets: [lossy] });
    const [asset] = result.assets;
    expect(result.mixedInteger).toBe(true);
    asset!.chargeKw.forEach((kw, step) => expect(Math.min(kw, asset!.dischargeKw[step]!)).toBe(0));
    // Paid for 5 + 0.5/0.9 kWh taken (filling to 10 kWh), then 5 kWh sold at 100,000.
    expect(asset!.chargeKw[0]! + asset!.chargeKw[1]!).toBeCloseTo(5 + 0.5 / 0.9, 5);
    expect(asset!.dischargeKw[2]).toBe(5);
    expect(result.expectedRevenueMicroStx).toBe(Math.floor(50_000 * (5 + 0.5 / 0.9) + 500_000));
  });

  it("a negative price with room to store is an LP: it charges, and no binaries are needed", () => {
    const result = solver.solve({ stepMinutes: 60, energyPrices: [-50_000, DEAR], assets: [battery()] });
    expect(result.mixedInteger).toBe(false);
    expect(result.assets[0]!.chargeKw).toEqual([5, 0]);
    expect(result.expectedRevenueMicroStx).toBe(5 * 50_000 + 5 * DEAR);
  });

  it("an end target of 6 kWh keeps energy back: 10 kWh bought, only 4 sold", () => {
    const result = solver.solve({
      stepMinutes: 60,
      energyPrices: [CHEAP, CHEAP, DEAR, DEAR],
      assets: [battery({ endKwh: 6 })],
    });
    expect(result.assets[0]!.storedKwh[3]).toBe(6);
    expect(result.expectedRevenueMicroStx).toBe(4 * DEAR - 10 * CHEAP);
  });

  it("a reserve offer paid more per kW-hour than arbitrage earns per kW is sold up to its limit", () => {
    const result = solver.solve({
      stepMinutes: 60,
      energyPrices: [CHEAP, CHEAP, DEAR, DEAR],
      assets: [
        battery({
          initialKwh: 5,
          reserveOffers: [{ product: "fcr", maxKw: 2, pricePerKwHour: 200_000, durationMinutes: 30 }],
        }),
      ],
    });
    const [asset] = result.assets;
    expect(asset!.offeredKw).toEqual([2]);
    expect(asset!.reserveDownKw).toEqual([2, 2, 2, 2]);
    expect(Math.max(...asset!.chargeKw, ...asset!.dischargeKw)).toBeLessThanOrEqual(3);
  });

  it("a cycles-per-day cap of half a cycle limits discharge to 5 kWh in a day of hourly steps", () => {
    const result = solver.solve({
      stepMinutes: 60,
      energyPrices: Array.from({ length: 24 }, (_, hour) => (hour < 12 ? CHEAP : DEAR)),
      assets: [battery({ initialKwh: 10, maxCyclesPerDay: 0.5 })],
    });
    const dischargedKwh = result.assets[0]!.dischargeKw.reduce((total, kw) => total + kw, 0);
    expect(dischargedKwh).toBeCloseTo(5, 6);
  });
});
