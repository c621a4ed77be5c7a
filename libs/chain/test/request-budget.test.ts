import { describe, expect, it } from "vitest";
import { RequestBudget } from "@voltstack/chain";

/** A clock that only moves when the budget sleeps, recording each sleep. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    elapsed: () => now,
  };
}

describe("RequestBudget", () => {
  it("lets a burst through, then one request per 60000 / rate ms", async () => {
    const clock = fakeClock();
    const budget = new RequestBudget({ requestsPerMinute: 600, burst: 2, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 6; i += 1) await budget.run(async () => i);
    expect(budget.granted).toBe(6);
    // Two at once, then four more at 100 ms each.
    expect(clock.elapsed()).toBe(400);
  });

  it("holds every request of the process until a 429's retry-after has passed", async () => {
    const clock = fakeClock();
    const budget = new RequestBudget({ requestsPerMinute: 0, now: clock.now, sleep: clock.sleep });
    budget.pause(5_000);
    await budget.run(async () => undefined);
    expect(clock.elapsed()).toBe(5_000);
    expect(budget.throttled).toBe(1);
  });

  it("runs no more than maxConcurrent requests at once, in arrival order", async () => {
    const budget = new RequestBudget({ requestsPerMinute: 0, maxConcurrent: 2 });
    let running = 0;
    let highest = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        budget.run(async () => {
          running += 1;
          highest = Math.max(highest, running);
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running -= 1;
        }),
      ),
    );
    expect(highest).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
