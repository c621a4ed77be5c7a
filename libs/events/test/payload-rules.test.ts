import { describe, expect, it } from "vitest";
import { eventCatalog, type EventType } from "@voltstack/events";
import type { ZodType } from "zod";

function check(type: EventType, changes: Record<string, unknown>): { ok: boolean; paths: string[] } {
  const result = (eventCatalog[type].payload as ZodType).safeParse({ ...eventCatalog[type].example, ...changes });
  return { ok: result.success, paths: result.success ? [] : result.error.issues.map((issue) => issue.path.join(".")) };
}

describe("cross-field rules the contracts guarantee", () => {
  it("capacity: reserved <= stored <= total and available = stored - reserved", () => {
    expect(check("capacity.updated", { storedKwh: 2001, availableKwh: 1601 }).paths).toContain("storedKwh");
    expect(check("capacity.updated", { reservedKwh: 1300, availableKwh: -100 }).ok).toBe(false);
    expect(check("capacity.updated", { availableKwh: 799 }).paths).toContain("availableKwh");
    expect(check("capacity.updated", { reason: "stolen" }).paths).toContain("reason");
    expect(check("capacity.initialized", { reservedKwh: 5, availableKwh: 1195 }).paths).toContain("reservedKwh");
  });

  it("grid demand: a percentage and low < high", () => {
    expect(check("grid.demand.updated", { demandLevelPercent: 101 }).paths).toContain("demandLevelPercent");
    expect(check("grid.thresholds.updated", { lowThresholdPercent: 75 }).paths).toContain("lowThresholdPercent");
  });

  it("frequency: deviation is the distance to the target and decides the subject", () => {
    expect(check("frequency.deviation", { deviationMilliHz: 349 }).paths).toContain("deviationMilliHz");
    expect(check("frequency.deviation", { frequencyMilliHz: 49_900, deviationMilliHz: 100 }).paths).toContain(
      "deviationMilliHz",
    );
    expect(check("frequency.deviation", { deviating: false }).paths).toContain("deviating");
    expect(check("frequency.reported", { frequencyMilliHz: 50_500, deviationMilliHz: 500 }).paths).toContain(
      "deviationMilliHz",
    );
    expect(check("frequency.target.set", { deadbandMilliHz: 50_000 }).paths).toContain("deadbandMilliHz");
  });

  it("service fulfilment: payout = payment x performance / 10000 rounded down, payout + refund = payment", () => {
    expect(check("service.fulfilled", { performanceBps: 10_001 }).paths).toContain("performanceBps");
    expect(check("service.fulfilled", { payoutUstx: "23750001", refundUstx: "1249999" }).paths).toContain("payoutUstx");
    expect(check("service.fulfilled", { refundUstx: "1250001" }).paths).toContain("refundUstx");
    expect(
      check("service.fulfilled", { paymentUstx: "3", performanceBps: 5_000, payoutUstx: "1", refundUstx: "2" }).ok,
    ).toBe(true);
  });

  it("service request: a non-empty ASCII service type of at most 32 characters", () => {
    expect(check("service.requested", { serviceType: "" }).ok).toBe(false);
    expect(check("service.requested", { serviceType: "x".repeat(33) }).ok).toBe(false);
    expect(check("service.requested", { serviceType: "régulation" }).ok).toBe(false);
  });

  it("shares: unique stakeholders whose shares add up to 10000", () => {
    const [first, second, third] = eventCatalog["shares.updated"].example.shares;
    expect(check("shares.updated", { shares: [first, second] }).paths).toContain("shares");
    expect(
      check("shares.updated", { shares: [first, { ...second, stakeholder: first?.stakeholder }, third] }).paths,
    ).toContain("shares.1.stakeholder");
    expect(check("shares.updated", { shares: [] }).ok).toBe(false);
    expect(check("shares.updated", { shares: [{ ...first, shareBps: 0 }, second, third] }).ok).toBe(false);
  });

  it("distribution: every payment listed, ids consecutive, amounts adding up to the pool", () => {
    const payments = eventCatalog["revenue.distributed"].example.payments;
    expect(check("revenue.distributed", { payments: payments.slice(0, 2) }).paths).toContain("payments");
    expect(check("revenue.distributed", { amountUstx: "23750000" }).paths).toContain("payments");
    const shuffled = [payments[1], payments[0], payments[2]];
    expect(check("revenue.distributed", { payments: shuffled }).paths).toContain("payments.0.paymentId");
  });

  it("deposit: a positive amount no larger than the pool after it", () => {
    expect(check("revenue.deposited", { amountUstx: "0" }).paths).toContain("amountUstx");
    expect(check("revenue.deposited", { poolBalanceUstx: "1" }).paths).toContain("poolBalanceUstx");
  });

  it("facility: name 1 to 64 characters, capacity and power at least 1", () => {
    expect(check("facility.registered", { name: "" }).ok).toBe(false);
    expect(check("facility.registered", { name: "n".repeat(65) }).ok).toBe(false);
    expect(check("facility.registered", { capacityKwh: 0 }).ok).toBe(false);
    expect(check("facility.registered", { maxPowerKw: 0 }).ok).toBe(false);
    expect(
      check("facility.registered", { owner: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.facility-registry" }).ok,
    ).toBe(true);
  });
});
