// Test doubles for unit specs, as `@voltstack/service-testing/in-memory`: apart from the
// package's main entry, so a spec loads no devnet, NATS or PostgreSQL client.
export { InMemoryTables, type Row } from "./in-memory-tables.js";
