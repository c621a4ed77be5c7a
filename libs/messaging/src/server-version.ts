import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Whether the connected server is at least `version` (major.minor.patch).
 * The server here is 2.9; production runs 2.10+. Features newer than 2.9
 * (consumer metadata, editable filter subjects...) are used only behind this.
 */
export function serverAtLeast(nc: NatsConnection, version: string): boolean {
  const running = parse(nc.info?.version ?? "0.0.0");
  const wanted = parse(version);
  for (let i = 0; i < 3; i += 1) {
    const a = running[i] ?? 0;
    const b = wanted[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function parse(version: string): number[] {
  return version
    .replace(/^v/, "")
    .split("-")[0]!
    .split(".")
    .map((part) => Number.parseInt(part, 10) || 0);
}
