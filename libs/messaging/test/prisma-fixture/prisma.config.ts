import { defineConfig } from "prisma/config";

// Generation needs no database; the tests create the tables from the
// exported migration SQL.
export default defineConfig({
  schema: "schema.prisma",
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
