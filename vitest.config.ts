import { configDefaults, defineConfig } from "vitest/config";

// Library and service tests. They talk to a real PostgreSQL and NATS: containers where a
// Docker engine is reachable, else the servers at DATABASE_URL and NATS_URL (the local
// ones by default); test/support/test-servers.ts chooses once per run. The transform emits
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
      "services/*/test/**/*.spec.ts",
      "cli/test/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
    ],
    // The chaos suite runs alone after these (test/chaos/vitest.config.ts): its faults need the machine.
    exclude: [...configDefaults.exclude, "test/chaos/**"],
    globalSetup: ["test/support/test-servers.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
