#!/usr/bin/env node
// Runs the CLI from its TypeScript sources (the repository is not built ahead of time):
// Node.js with tsx and the condition that resolves the workspace libraries to source.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--conditions=voltstack-source", main, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
// Ctrl-C reaches the child too (same process group); the child decides how to stop.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
