import { describe, expect, it } from "vitest";
import { migrationChecksum, scriptMatchesChecksum } from "@voltstack/persistence";

describe("migration checksums (Prisma's rules)", () => {
  it("is the zero-padded lower-case SHA-256 hex of the script", () => {
    expect(migrationChecksum("hello")).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(migrationChecksum("abcd")).toHaveLength(64);
  });

  it("ignores a change of line endings only", () => {
    const unix = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    const windows = unix.replaceAll("\n", "\r\n");
    expect(scriptMatchesChecksum(windows, migrationChecksum(unix))).toBe(true);
    expect(scriptMatchesChecksum(unix, migrationChecksum(windows))).toBe(true);
  });

  it("detects any other change", () => {
    expect(scriptMatchesChecksum("abc\n", migrationChecksum("abc"))).toBe(false);
    expect(scriptMatchesChecksum("abc", migrationChecksum("abcd"))).toBe(false);
  });

  it("accepts checksums old Prisma versions stored without zero padding", () => {
    const digest = Buffer.from(migrationChecksum("hello"), "hex");
    const unpadded = [...digest].map((byte) => byte.toString(16)).join("");
    expect(unpadded.length).toBeLessThan(64);
    expect(scriptMatchesChecksum("hello", unpadded)).toBe(true);
  });
});
