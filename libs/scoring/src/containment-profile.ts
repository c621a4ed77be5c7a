/**
 * How much power a frequency deviation asks of a containment service, as data: a droop that is
 * zero inside the deadband, rises linearly from the deadband's edge and is full at the full
 * activation deviation, which must be reached within the full activation time.
 */
export interface ContainmentProfile {
  name: string;
  nominalMilliHz: number;
  /** Deviations up to this (either way) ask for nothing. */
  deadbandMilliHz: number;
  /** Deviations from this (either way) ask for the full committed power. */
  fullActivationMilliHz: number;
  /** Full activation from rest must be reached within this; a response ramping no slower is not penalised. */
  fullActivationSeconds: number;
  /**
   * The error is measured against the energy required, but never against less than this fraction
   * of the committed power over the period, so a quiet period is not scored on a near-zero amount.
   */
  errorFloorFraction: number;
}

/** ENTSO-E frequency containment reserve (Continental Europe): 10 mHz insensitivity, full at 200 mHz in 30 s. */
export const FCR: ContainmentProfile = {
  name: "FCR",
  nominalMilliHz: 50_000,
  deadbandMilliHz: 10,
  fullActivationMilliHz: 200,
  fullActivationSeconds: 30,
  errorFloorFraction: 0.05,
};

/**
 * Great Britain's Dynamic Containment: 15 mHz deadband, full at 500 mHz within 1 s. The real
 * service has a knee (5 % at 200 mHz); this profile is linear from the deadband to full.
 */
export const DYNAMIC_CONTAINMENT: ContainmentProfile = {
  name: "DYNAMIC_CONTAINMENT",
  nominalMilliHz: 50_000,
  deadbandMilliHz: 15,
  fullActivationMilliHz: 500,
  fullActivationSeconds: 1,
  errorFloorFraction: 0.05,
};
