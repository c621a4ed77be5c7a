import { createHash } from "node:crypto";

/** The checksum Prisma stores for a migration script: SHA-256 of its UTF-8 bytes, lower-case hex. */
export function migrationChecksum(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex");
}

/**
 * Whether a script matches a stored checksum under Prisma's rules: line endings may
 * differ (git rewrites them), and tables written by old Prisma versions hold hex
 * digits without zero padding.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const rendered =
      checksum.length !== 0 && checksum.length !== 64
        ? [...digest].map((byte) => byte.toString(16)).join("")
        : digest.toString("hex");
    return rendered === checksum;
  });
}
