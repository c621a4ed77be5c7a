import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyEntry } from "./auth-options.js";
import type { Caller } from "./roles.js";

/** The value to configure for an API key: its SHA-256, lower-case hex. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

// Keys are long random secrets, so one fast hash is enough; comparing digests in
// constant time keeps response timing independent of how much of a hash matched.
export class ApiKeyAuthenticator {
  private readonly entries: Array<{ digest: Buffer; entry: ApiKeyEntry }>;

  constructor(entries: ApiKeyEntry[]) {
    this.entries = entries.map((entry) => ({ digest: Buffer.from(entry.sha256, "hex"), entry }));
  }

  authenticate(key: string): Caller | undefined {
    const digest = createHash("sha256").update(key, "utf8").digest();
    let match: ApiKeyEntry | undefined;
    for (const candidate of this.entries) {
      if (timingSafeEqual(candidate.digest, digest)) match = candidate.entry;
    }
    if (!match) return undefined;
    return { id: match.name, via: "api-key", roles: [match.role], principals: [...match.principals] };
  }
}
