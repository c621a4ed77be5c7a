import { defineConfig } from "vitest/config";
import { vitestSetupFilePath, getClarinetVitestsArgv } from "@stacks/clarinet-sdk/vitest";

// The simnet runs in one forked worker that keeps its state between files;
// each test file starts from a fresh chain through the SDK's setup file.
export default defineConfig({
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
