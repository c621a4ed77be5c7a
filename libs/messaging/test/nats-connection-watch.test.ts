import { type PrivateNats, startPrivateNats } from "@voltstack/service-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectWatched, NatsConnectionWatch, natsReconnectDelayMs } from "../src/index.js";
import { waitFor } from "./support/infra.js";

describe("NatsConnectionWatch", () => {
  it("waits longer after each failed attempt, doubling from 250 ms to 5 s, plus up to half again at random", () => {
    expect([0, 1, 2, 3, 4, 5, 30].map((attempts) => natsReconnectDelayMs(attempts, () => 0))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    expect(natsReconnectDelayMs(0, () => 0.999)).toBe(375);
    expect(natsReconnectDelayMs(30, () => 0.999)).toBe(7_498);
    expect(new NatsConnectionWatch("backoff").reconnectOptions()).toMatchObject({
      name: "backoff",
      maxReconnectAttempts: -1,
    });
  });

  describe("on a real server", () => {
    let nats: PrivateNats;

    beforeAll(async () => {
      nats = await startPrivateNats();
    });

    afterAll(async () => {
      await nats?.close();
    });

    it("is connected, then unreachable while the server is down (recoverable), then back", async () => {
      const lines: string[] = [];
      const { connection, watch } = await connectWatched(
        { servers: nats.url, name: "watched" },
        { log: (line) => lines.push(line), error: (line) => lines.push(line) },
      );
      try {
        expect(watch.state).toBe("connected");
        expect(() => watch.assertConnected()).not.toThrow();

        await nats.stop("SIGKILL");
        await waitFor("the loss noticed", () => watch.state === "disconnected", 60_000);
        expect(() => watch.assertConnected()).toThrow(
          /^NATS at .+ unreachable for \d+ s, reconnecting: \d+ attempts so far$/,
        );
        expect(() => watch.assertRecoverable()).not.toThrow();

        await nats.start();
        await waitFor("the reconnect", () => watch.state === "connected", 60_000);
        expect(() => watch.assertConnected()).not.toThrow();
        expect(lines).toEqual([
          expect.stringMatching(/^NATS connection watched lost \(.+\); reconnecting without a limit$/),
          expect.stringMatching(/^NATS connection watched back \(.+\) after \d+ s and \d+ attempts$/),
        ]);
      } finally {
        watch.stopping();
        await connection.close();
      }
    }, 180_000);

    it("cannot recover once the connection closed for good, unless the service closed it on purpose", async () => {
      const lost = await connectWatched({ servers: nats.url, name: "lost" }, { log: () => {}, error: () => {} });
      await lost.connection.close();
      await waitFor("the close noticed", () => lost.watch.state === "closed");
      expect(() => lost.watch.assertRecoverable()).toThrow(/closed for good .* restart the process/);

      const shutDown = await connectWatched(
        { servers: nats.url, name: "shut-down" },
        { log: () => {}, error: () => {} },
      );
      shutDown.watch.stopping();
      await shutDown.connection.drain();
      await waitFor("the close noticed", () => shutDown.watch.state === "closed");
      expect(() => shutDown.watch.assertRecoverable()).not.toThrow();
    });
  });
});
