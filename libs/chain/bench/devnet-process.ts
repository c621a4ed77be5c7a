// Runs a devnet in its own process for the throughput benchmark, as `npm run devnet`
// would: prints one JSON line {url, accounts} on stdout, stops on SIGTERM.
import { startDevnet } from "@voltstack/devnet";

const blockIntervalMs = Number(process.argv[2] ?? "20");
const { log, info } = console;
console.log = () => undefined;
console.info = () => undefined;
const devnet = await startDevnet({ port: 0, blockIntervalMs });
process.stdout.write(`${JSON.stringify({ url: devnet.url, accounts: Object.fromEntries(devnet.accounts) })}\n`);
console.log = log;
console.info = info;
process.on("SIGTERM", () => {
  void devnet.stop().then(() => process.exit(0));
});
