import { configDefaults, defineConfig } from "vitest/config";

// Library and service tests. They talk to the real PostgreSQL and NATS given by
// DATABASE_URL and NATS_URL (the local servers by default). The transform emits
// no decorator metadata, so Nest providers are injected with explicit @Inject
// tokens, as they must be under tsx too.
export default defineConfig({
  resolve: {
    conditions: ["voltstack-source"],
  },
  ssr: {
    resolve: {
      conditions: ["voltstack-source"],
    },
  },
  test: {
    include: [
      "libs/*/test/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "cli/test/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
    ],
    // The chaos suite runs alone after these (test/chaos/vitest.config.ts): its faults need the machine.
    exclude: [...configDefaults.exclude, "test/chaos/**"],
    environment: "node",
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
