import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

// Library and service tests. They talk to the real PostgreSQL and NATS given by
// DATABASE_URL and NATS_URL (the local servers by default). SWC compiles the
// TypeScript so that NestJS sees decorator metadata, as tsc would emit it.
export default defineConfig({
  plugins: [swc.vite({ module: { type: "es6" } })],
  resolve: {
    conditions: ["voltstack-source"],
  },
  ssr: {
    resolve: {
      conditions: ["voltstack-source"],
    },
  },
  test: {
    include: ["libs/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
  },
});
