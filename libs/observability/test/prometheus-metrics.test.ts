import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { counter, gauge, histogram, MetricConflictError } from "@voltstack/observability";

describe("metrics on the default registry", () => {
  it("creates a metric once and hands out the same one afterwards", async () => {
    const config = {
      name: "voltstack_test_events_published_total",
      help: "Events published",
      labelNames: ["subject"] as const,
    };
    const first = counter(config);
    const second = counter(config);
    expect(second).toBe(first);
    first.inc({ subject: "facility.approved" });
    second.inc({ subject: "facility.approved" }, 2);
    const text = await register.metrics();
    expect(text).toContain('voltstack_test_events_published_total{subject="facility.approved"} 3');
  });

  it("shares histograms and gauges too", async () => {
    const config = {
      name: "voltstack_test_confirmation_seconds",
      help: "Confirmation time",
      labelNames: ["outcome"],
      buckets: [1, 10],
    };
    histogram(config).observe({ outcome: "success" }, 4);
    histogram(config).observe({ outcome: "success" }, 12);
    gauge({ name: "voltstack_test_outbox_backlog", help: "Outbox rows waiting" }).set(5);
    const text = await register.metrics();
    expect(text).toContain('voltstack_test_confirmation_seconds_bucket{le="10",outcome="success"} 1');
    expect(text).toContain('voltstack_test_confirmation_seconds_count{outcome="success"} 2');
    expect(text).toContain("voltstack_test_outbox_backlog 5");
  });

  it("refuses the same name with another type, help or labels", () => {
    counter({ name: "voltstack_test_conflict_total", help: "One thing", labelNames: ["a"] });
    const attempts = [
      () => gauge({ name: "voltstack_test_conflict_total", help: "One thing", labelNames: ["a"] }),
      () => counter({ name: "voltstack_test_conflict_total", help: "Another thing", labelNames: ["a"] }),
      () => counter({ name: "voltstack_test_conflict_total", help: "One thing", labelNames: ["b"] }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(MetricConflictError);
    }
  });
});
