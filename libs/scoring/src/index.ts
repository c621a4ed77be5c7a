export { type ContainmentProfile, DYNAMIC_CONTAINMENT, FCR } from "./containment-profile.js";
export {
  type ContainmentInput,
  type ContainmentScore,
  type ContainmentSeriesPoint,
  droopW,
  scoreContainment,
} from "./containment-score.js";
export { type EnergyDeliveryInput, type EnergyDeliveryScore, scoreEnergyDelivery } from "./energy-delivery-score.js";
export { performanceBps } from "./performance-bps.js";
export {
  type RegulationPayment,
  type RegulationPaymentInput,
  type RegulationPrices,
  regulationPayment,
} from "./regulation-payment.js";
export {
  PJM_REGULATION,
  type RegulationConfig,
  type RegulationInput,
  type RegulationScore,
  type RegulationSeriesPoint,
  scoreRegulation,
} from "./regulation-score.js";
export { ScoringInputError, type ScoringInputErrorCode } from "./scoring-input-error.js";
export { type Sample } from "./telemetry.js";
