import { assetLimits, dailyDischargeWindows } from "./asset-limits.js";
import type { ScheduleProblem } from "./problem.js";

/**
 * The schedule as a linear program in HiGHS' array form (rows in CSR), minimising the negative
 * of revenue. Per asset and step: charge kW, discharge kW and stored kWh at the end of the step;
 * per asset and reserve offer: one kW held for the whole horizon.
 *
 * Binaries forbidding simultaneous charge and discharge are added only on steps whose price is
 * negative, and only when asked (`withBinaries`): the solve tries the LP first and needs the
 * MILP only when the LP's answer charges and discharges at once on such a step. At a price >= 0, charging and discharging in the same step buys energy to throw
 * part of it away as losses and adds wear: replacing the pair by its net flow keeps the stored
 * energy, frees power headroom and never earns less, so an optimal LP solution without
 * simultaneous flows exists and the LP is exact. At a negative price the grid pays for every
 * kWh taken, and burning energy in round-trip losses becomes profitable, which a real battery
 * cannot do in one step; only there is the binary needed.
 */
export interface LinearModel {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  matrix: {
    format: "csr";
    numRows: number;
    numCols: number;
    starts: Int32Array;
    indices: Int32Array;
    values: Float64Array;
  };
  /** Present only for a MILP: 1 marks an integer (here binary) column. */
  integrality?: Int32Array;
}

/** Where each asset's variables sit among the columns. */
export interface AssetColumns {
  charge: number[];
  discharge: number[];
  stored: number[];
  offers: number[];
}

export interface BuiltModel {
  model: LinearModel;
  columns: AssetColumns[];
  /**
   * Rows from this index on are the fleet limits, the only rows that couple assets; equal to
   * `model.numRows` when there are none.
   */
  fleetRowsFrom: number;
}

class ModelBuilder {
  readonly colCost: number[] = [];
  readonly colLower: number[] = [];
  readonly colUpper: number[] = [];
  readonly integer: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];

  column(cost: number, lower: number, upper: number, integer = false): number {
    this.colCost.push(cost);
    this.colLower.push(lower);
    this.colUpper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.colCost.length - 1;
  }

  /** A row lower <= sum(coefficient * column) <= upper; columns must not repeat. */
  row(terms: [column: number, coefficient: number][], lower: number, upper: number): void {
    for (const [column, coefficient] of terms) {
      this.indices.push(column);
      this.values.push(coefficient);
    }
    this.starts.push(this.indices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
  }

  build(): LinearModel {
    const numCols = this.colCost.length;
    const numRows = this.rowLower.length;
    const mixedInteger = this.integer.some((flag) => flag === 1);
    return {
      numCols,
      numRows,
      colCost: Float64Array.from(this.colCost),
      colLower: Float64Array.from(this.colLower),
      colUpper: Float64Array.from(this.colUpper),
      rowLower: Float64Array.from(this.rowLower),
      rowUpper: Float64Array.from(this.rowUpper),
      matrix: {
        format: "csr",
        numRows,
        numCols,
        starts: Int32Array.from(this.starts),
        indices: Int32Array.from(this.indices),
        values: Float64Array.from(this.values),
      },
      ...(mixedInteger ? { integrality: Int32Array.from(this.integer) } : {}),
    };
  }
}

export function buildModel(problem: ScheduleProblem, withBinaries: boolean): BuiltModel {
  const { stepMinutes, energyPrices } = problem;
  const steps = energyPrices.length;
  const stepHours = stepMinutes / 60;
  const horizonHours = steps * stepHours;
  const builder = new ModelBuilder();
  const columns: AssetColumns[] = [];
  let fleetUpKw = 0;
  let fleetDownKw = 0;

  for (const asset of problem.assets) {
    const limits = assetLimits(asset, stepMinutes);
    fleetUpKw += limits.upCommittedKw;
    fleetDownKw += limits.downCommittedKw;
    const wearPerKw = asset.degradationCostPerKwh * stepHours;
    const charge = energyPrices.map((price) =>
      builder.column(price * stepHours + wearPerKw, 0, limits.chargeHeadroomKw),
    );
    const discharge = energyPrices.map((price) =>
      builder.column(-price * stepHours + wearPerKw, 0, limits.dischargeHeadroomKw),
    );
    const stored = energyPrices.map((_, step) =>
      builder.column(
        0,
        step === steps - 1 ? Math.max(limits.lowestKwh, asset.endKwh ?? 0) : limits.lowestKwh,
        limits.highestKwh,
      ),
    );
    const offers = limits.offers.map((offer) => builder.column(-offer.pricePerKwHour * horizonHours, 0, offer.maxKw));
    columns.push({ charge, discharge, stored, offers });

    for (let step = 0; step < steps; step += 1) {
      // stored[t] = retention * stored[t-1] + chargeEfficiency * h * charge - h / dischargeEfficiency * discharge
      const balance: [number, number][] = [
        [stored[step]!, 1],
        [charge[step]!, -asset.chargeEfficiency * stepHours],
        [discharge[step]!, stepHours / asset.dischargeEfficiency],
      ];
      if (step > 0) balance.push([stored[step - 1]!, -limits.retentionPerStep]);
      const carriedKwh = step === 0 ? asset.initialKwh * limits.retentionPerStep : 0;
      builder.row(balance, carriedKwh, carriedKwh);

      if (withBinaries && energyPrices[step]! < 0) {
        const charging = builder.column(0, 0, 1, true);
        builder.row(
          [
            [charge[step]!, 1],
            [charging, -limits.chargeHeadroomKw],
          ],
          -Infinity,
          0,
        );
        builder.row(
          [
            [discharge[step]!, 1],
            [charging, limits.dischargeHeadroomKw],
          ],
          -Infinity,
          limits.dischargeHeadroomKw,
        );
      }

      if (offers.length > 0) {
        const offered = offers.map((column): [number, number] => [column, 1]);
        builder.row([[discharge[step]!, 1], ...offered], -Infinity, limits.dischargeHeadroomKw);
        builder.row([[charge[step]!, 1], ...offered], -Infinity, limits.chargeHeadroomKw);
        builder.row(
          [
            [stored[step]!, 1],
            ...offers.map((column, index): [number, number] => [column, -limits.offerUpKwhPerKw[index]!]),
          ],
          limits.lowestKwh,
          Infinity,
        );
        builder.row(
          [
            [stored[step]!, 1],
            ...offers.map((column, index): [number, number] => [column, limits.offerDownKwhPerKw[index]!]),
          ],
          -Infinity,
          limits.highestKwh,
        );
      }
    }
    if (offers.length > 0) {
      // The initial state must carry the offered reserve too, as every later step does.
      builder.row(
        offers.map((column, index) => [column, limits.offerUpKwhPerKw[index]!]),
        -Infinity,
        asset.initialKwh - limits.lowestKwh,
      );
      builder.row(
        offers.map((column, index) => [column, limits.offerDownKwhPerKw[index]!]),
        -Infinity,
        limits.highestKwh - asset.initialKwh,
      );
    }
    for (const window of dailyDischargeWindows(asset, steps, stepMinutes)) {
      const terms: [number, number][] = [];
      for (let step = window.firstStep; step < window.endStep; step += 1) {
        terms.push([discharge[step]!, stepHours / asset.dischargeEfficiency]);
      }
      builder.row(terms, -Infinity, window.maxDischargedKwh);
    }
  }

  // Activated reserve flows through the same connection, so the fleet limit holds with every
  // held reserve delivered: net import plus down-reserve, net export plus up-reserve.
  const { maxImportKw, maxExportKw } = problem.fleetLimits ?? {};
  const fleetRowsFrom = builder.rowLower.length;
  for (let step = 0; step < steps; step += 1) {
    const netImport: [number, number][] = columns.flatMap((asset) => [
      [asset.charge[step]!, 1],
      [asset.discharge[step]!, -1],
    ]);
    const offered: [number, number][] = columns.flatMap((asset) =>
      asset.offers.map((column): [number, number] => [column, 1]),
    );
    if (maxImportKw !== undefined) builder.row([...netImport, ...offered], -Infinity, maxImportKw - fleetDownKw);
    if (maxExportKw !== undefined) {
      builder.row(
        [...netImport.map(([column, coefficient]): [number, number] => [column, -coefficient]), ...offered],
        -Infinity,
        maxExportKw - fleetUpKw,
      );
    }
  }
  return { model: builder.build(), columns, fleetRowsFrom };
}
