import { defineConfig } from "vitest/config";

// The chaos suite on its own: one file at a time, after the other suites, so its
// faults and recovery times neither disturb nor are disturbed by other heavy tests.
export default defineConfig({
  resolve: { conditions: ["voltstack-source"] },
  ssr: { resolve: { conditions: ["voltstack-source"] } },
  test: {
    include: ["test/chaos/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
