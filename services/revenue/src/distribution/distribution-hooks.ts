/**
 * Points in a fulfilment's distribution where tests stop the service, as a crash would.
 * Production binds NO_DISTRIBUTION_HOOKS.
 */
export interface DistributionHooks {
  /** The distribution was broadcast (and journaled) but its txid is not yet on the intent. */
  afterBroadcast(txid: string): Promise<void>;
}

/** The injection token of the service's DistributionHooks. */
export const DISTRIBUTION_HOOKS = Symbol("DISTRIBUTION_HOOKS");

export const NO_DISTRIBUTION_HOOKS: DistributionHooks = { afterBroadcast: () => Promise.resolve() };
