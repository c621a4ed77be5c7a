import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Who is emitting: the resource of every span and the `service` field of every log line. */
export interface ServiceIdentity {
  /** `voltstack-<service>`, the OpenTelemetry `service.name`. */
  name: string;
  /** `service.version`: the service package's version. */
  version: string;
  /** `deployment.environment`: where it runs (e.g. production, testnet, development). */
  environment: string;
}

// services/<name>/src/main.ts or services/<name>/dist/main.js
const SERVICE_ENTRY = /[\\/]services[\\/]([a-z0-9-]+)[\\/]/;

function packageVersionNear(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let directory = dirname(file);
  for (let depth = 0; depth < 4; depth += 1) {
    const manifest = join(directory, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version;
      } catch {
        return undefined;
      }
    }
    directory = dirname(directory);
  }
  return undefined;
}

/**
 * The running service's identity, from the standard variables when set (OTEL_SERVICE_NAME,
 * SERVICE_VERSION, DEPLOYMENT_ENVIRONMENT), else from where its entry point lives: a process
 * started from services/grid/… is `voltstack-grid`, so the five services can be told apart
 * in a tracing back end and in logs without any configuration.
 */
export function serviceIdentity(
  env: NodeJS.ProcessEnv = process.env,
  entryPoint: string | undefined = process.argv[1],
): ServiceIdentity {
  const fromEntry = entryPoint ? SERVICE_ENTRY.exec(entryPoint)?.[1] : undefined;
  const fromPackage = env.npm_package_name?.startsWith("@voltstack/")
    ? env.npm_package_name.slice("@voltstack/".length)
    : undefined;
  const short = fromEntry ?? fromPackage;
  return {
    name: env.OTEL_SERVICE_NAME?.trim() || (short ? `voltstack-${short}` : "voltstack"),
    version: env.SERVICE_VERSION?.trim() || packageVersionNear(entryPoint) || env.npm_package_version || "0.0.0",
    environment: env.DEPLOYMENT_ENVIRONMENT?.trim() || env.NODE_ENV?.trim() || "development",
  };
}
