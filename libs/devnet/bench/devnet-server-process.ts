// The devnet in its own process for the overhead benchmark, so the HTTP client's
// work does not count against the devnet. Talks to its parent over IPC: sends
// {url, accounts} once listening, mines a block on "mine" (answering with the
// height), and exits on "stop".
import { startDevnet } from "../src/index.js";

type Command = "mine" | "stop";

const devnet = await startDevnet({ port: 0, blockIntervalMs: 0 });
const send = (message: unknown) => process.send?.(message);
send({ url: devnet.url, accounts: Object.fromEntries(devnet.accounts) });
process.on("message", (command: Command) => {
  if (command === "mine") {
    devnet.mineBlock().then(
      (height) => send({ height }),
      (error: unknown) => send({ error: String(error) }),
    );
  } else {
    void devnet.stop().then(() => process.exit(0));
  }
});
