import { Counter, Histogram, register } from "prom-client";

// On prom-client's default registry, which every service serves at /metrics.
// Looked up first so that two copies of this module in one process share them.
function counter(): Counter<"contract" | "function" | "outcome"> {
  const name = "voltstack_chain_transactions_total";
  return (
    (register.getSingleMetric(name) as Counter<"contract" | "function" | "outcome"> | undefined) ??
    new Counter({
      name,
      help: "Contract-call transactions followed to a final state, by outcome (success, abort_by_response, abort_by_post_condition, dropped_*, timeout, not_submitted).",
      labelNames: ["contract", "function", "outcome"],
    })
  );
}

function histogram(): Histogram<"contract" | "function" | "outcome"> {
  const name = "voltstack_chain_confirmation_seconds";
  return (
    (register.getSingleMetric(name) as Histogram<"contract" | "function" | "outcome"> | undefined) ??
    new Histogram({
      name,
      help: "Seconds from submitting a contract call to its final state.",
      labelNames: ["contract", "function", "outcome"],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    })
  );
}

export const chainTransactions = counter();
export const chainConfirmationSeconds = histogram();
