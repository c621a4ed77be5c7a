import { describe, expect, it, vi } from "vitest";
import { type FollowedSync, SyncStatusReader } from "../src/sync-status-controller.js";

// One block every 5 s: block h was made at h x 5 s.
const blockTime = vi.fn(async (height: number) => new Date(height * 5_000));

function follower(syncedHeight: number, pass: () => Promise<number>): FollowedSync {
  const sync = {
    syncedHeight,
    syncToTip: vi.fn(async () => {
      sync.syncedHeight = await pass();
      return sync.syncedHeight;
    }),
  };
  return { sync };
}

describe("a service's sync status", () => {
  it("reports an idle follower that read every event as at the tip, with the measured block interval", async () => {
    const api = { getChainTip: vi.fn(async () => ({ height: 500, hash: "0xab" })), getBlockTime: blockTime };
    const reader = new SyncStatusReader(
      follower(420, async () => 500),
      api,
    );
    expect(await reader.read()).toEqual({
      tipHeight: 500,
      followerHeight: 500,
      lagBlocks: 0,
      caughtUp: true,
      secondsPerBlock: 5,
    });
    expect(blockTime).toHaveBeenCalledWith(400);
  });

  it("reports the lag of a follower whose pass fails, without the pass's error", async () => {
    const api = { getChainTip: vi.fn(async () => ({ height: 50, hash: "0xab" })), getBlockTime: blockTime };
    const reader = new SyncStatusReader(
      follower(30, () => Promise.reject(new Error("the log page answered 500"))),
      api,
    );
    expect(await reader.read()).toMatchObject({ tipHeight: 50, followerHeight: 30, lagBlocks: 20, caughtUp: false });
  });

  it("shares one answer between callers asking within two seconds", async () => {
    let now = 1_000_000;
    const api = { getChainTip: vi.fn(async () => ({ height: 10, hash: "0xab" })), getBlockTime: blockTime };
    const followed = follower(10, async () => 10);
    const reader = new SyncStatusReader(followed, api, () => now);
    await Promise.all([reader.read(), reader.read()]);
    now += 1_500;
    await reader.read();
    expect(api.getChainTip).toHaveBeenCalledTimes(1);
    now += 1_000;
    await reader.read();
    expect(api.getChainTip).toHaveBeenCalledTimes(2);
    expect(followed.sync.syncToTip).toHaveBeenCalledTimes(2);
  });

  it("says the block interval is unknown on a chain of one block", async () => {
    const api = { getChainTip: vi.fn(async () => ({ height: 1, hash: "0xab" })), getBlockTime: blockTime };
    expect(
      (
        await new SyncStatusReader(
          follower(1, async () => 1),
          api,
        ).read()
      ).secondsPerBlock,
    ).toBeNull();
  });

  it("fails when the API gives no tip, and asks again on the next call", async () => {
    const getChainTip = vi
      .fn()
      .mockRejectedValueOnce(new Error("HTTP 503 to GET /extended"))
      .mockResolvedValue({ height: 9, hash: "0xab" });
    const reader = new SyncStatusReader(
      follower(9, async () => 9),
      { getChainTip, getBlockTime: blockTime },
    );
    await expect(reader.read()).rejects.toThrow(/HTTP 503/);
    await expect(reader.read()).resolves.toMatchObject({ tipHeight: 9, lagBlocks: 0 });
  });
});
