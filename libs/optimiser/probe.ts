import { loadHighsRuntime } from "./src/highs-run.mjs";
import { buildModel } from "./src/linear-model.js";
import { priceCurve, seededRandom } from "@voltstack/synthetic";
const highs = await loadHighsRuntime();
const random = seededRandom(2026);
const day15 = priceCurve(random.fork(1), { days: 1, stepMinutes: 15, startDayOfYear: 40 });
const battery = (id: string, o = {}) => ({
  id,
  capacityKwh: 1000,
  initialKwh: 500,
  minKwh: 100,
  maxKwh: 950,
  maxChargeKw: 500,
  maxDischargeKw: 500,
  chargeEfficiency: 0.95,
  dischargeEfficiency: 0.95,
  selfDischargePerHour: 0.0005,
  degradationCostPerKwh: 4000,
  ...o,
});
const { model } = buildModel({
  stepMinutes: 15,
  energyPrices: day15,
  assets: Array.from({ length: 100 }, (_, i) =>
    battery(`b${i}`, { initialKwh: 200 + (i % 7) * 100, maxChargeKw: 300 + (i % 5) * 50 }),
  ),
  fleetLimits: { maxImportKw: 12000, maxExportKw: 12000 },
});
const variants: Record<string, Record<string, unknown>> = {
  base: {},
  nopresolve: { presolve: "off" },
  dualNoPre: { presolve: "off", solver: "simplex", simplex_strategy: 1 },
  base2: {},
  nopresolve2: { presolve: "off" },
  scale0: { simplex_scale_strategy: 0 },
};
for (const [name, opts] of Object.entries(variants)) {
  const times: number[] = [];
  let obj = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    obj = highs.withModel(model as never, (m) => {
      m.options.set({ output_flag: false, ...opts } as never);
      m.run();
      return m.getObjectiveValue();
    });
    times.push(performance.now() - t);
  }
  console.log(name, times.map((x) => x.toFixed(0)).join(" "), obj.toFixed(0));
}
