import { defineConfig } from "vitest/config";
import { vitestSetupFilePath, getClarinetVitestsArgv } from "@stacks/clarinet-sdk/vitest";

// The simnet runs in one forked worker that keeps its state between files;
// each test file starts from a fresh chain through the SDK's setup file.
export default defineConfig({
  // Our packages by name, from their sources (the error table of @voltstack/chain/contract-errors).
  resolve: { conditions: ["voltstack-source"] },
  ssr: { resolve: { conditions: ["voltstack-source"] } },
  test: {
    root: ".",
    include: ["contracts/tests/**/*.test.ts"],
    environment: "clarinet",
    pool: "forks",
    isolate: false,
    maxWorkers: 1,
    setupFiles: [vitestSetupFilePath],
    environmentOptions: {
      clarinet: {
        ...getClarinetVitestsArgv(),
      },
    },
    testTimeout: 60_000,
  },
});
