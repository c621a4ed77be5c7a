import type { StacksChain } from "@voltstack/chain";
import type { ReadinessCheck } from "@voltstack/service-kit";

/** Without an answer from the API for this long, the service is not ready (the follower asks every poll). */
const STALE_AFTER_MS = 120_000;

/**
 * The chain's readiness from what the service's own requests last showed, without a
 * request per probe: a hosted API's rate limit would otherwise be spent on Kubernetes'
 * probes. Not ready while the node serves another network, while the last request got
 * no usable answer, or when no answer came for STALE_AFTER_MS.
 */
export function chainReadiness(chain: StacksChain, now: () => number = Date.now): ReadinessCheck {
  return async () => {
    if (chain.networkMismatch) throw new Error(chain.networkMismatch.message);
    const { lastAnswerAt, failure } = chain.api.contact;
    if (failure) throw new Error(`the Stacks API at ${chain.network.url} did not answer: ${failure.message}`);
    if (lastAnswerAt === undefined) {
      // Nothing asked yet (first probe after start): ask once, through the budget.
      await chain.assertNetwork();
      return;
    }
    if (now() - lastAnswerAt > STALE_AFTER_MS)
      throw new Error(
        `the Stacks API at ${chain.network.url} has not answered for ${Math.round((now() - lastAnswerAt) / 1000)} s`,
      );
  };
}
