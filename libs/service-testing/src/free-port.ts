import { createConnection, createServer } from "node:net";

/** A TCP port on the loopback interface that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no TCP port could be had");
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Resolves once `port` accepts connections; fails if `exited` resolves first (the server
 * died at start) or after `timeoutMs` (generous: other test workers share the CPU).
 */
export async function waitForPort(
  port: number,
  what: string,
  exited: Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (gone) throw new Error(`${what} exited before it accepted connections on port ${port}`);
    if (Date.now() > deadline)
      throw new Error(`${what} did not accept connections on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
