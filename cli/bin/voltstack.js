#!/usr/bin/env node
// In a development install (tsx present) the CLI runs from its TypeScript sources, with the
// condition that resolves the workspace libraries to source, so a stale build never shadows an
// edit. In a production install (the image: no tsx) it runs the compiled dist/main.js.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

function hasTsx() {
  try {
    import.meta.resolve("tsx");
    return true;
  } catch {
    return false;
  }
}

if (!hasTsx()) {
  await import("../dist/main.js");
} else {
  const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=voltstack-source", main, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  // Ctrl-C reaches the child too (same process group); the child decides how to stop.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
