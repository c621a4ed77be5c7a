export { type Random, seededRandom } from "./random.js";
export {
  type FrequencyShape,
  type SeriesShape,
  REGULATION_FULL_SCALE_BPS,
  frequencyTrace,
  regulationSignal,
} from "./grid-signals.js";
export { type BatteryBehaviour, type BatteryResponseOptions, batteryResponse } from "./battery-responses.js";
export { type ForecastOptions, type PriceCurveOptions, forecastOf, priceCurve } from "./price-curves.js";
