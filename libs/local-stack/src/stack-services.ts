import { fileURLToPath } from "node:url";
import type { ServiceName } from "@voltstack/client";

/** What the launcher needs to know of each service: where it lives and how it is configured. */
export interface StackService {
  name: ServiceName;
  defaultPort: number;
  /** The configuration variable naming the service's PostgreSQL schema. */
  schemaVariable: string;
  /** Its TypeScript entry, as `npm start` runs it. */
  entryPoint: string;
  /** Its compiled entry (`npm run build`), as the image runs it. */
  compiledEntryPoint: string;
  migrationsDir: string;
}

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

function service(name: ServiceName, defaultPort: number): StackService {
  return {
    name,
    defaultPort,
    schemaVariable: `${name.toUpperCase()}_SCHEMA`,
    entryPoint: `${repositoryRoot}services/${name}/src/main.ts`,
    compiledEntryPoint: `${repositoryRoot}services/${name}/dist/main.js`,
    migrationsDir: `${repositoryRoot}services/${name}/prisma/migrations`,
  };
}

/** The five services in the order they start: producers before their consumers. */
export const STACK_SERVICES: readonly StackService[] = [
  service("verification", 3101),
  service("capacity", 3102),
  service("flow", 3103),
  service("grid", 3104),
  service("revenue", 3105),
];

export { repositoryRoot };
