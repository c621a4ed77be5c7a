// `npx voltstack <command>`: starts the local system, runs the demo, and operates
// facilities, capacity, demand, requests and revenue through the services' HTTP APIs.
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));
