import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localInstance } from "../src/instance.js";

describe("a checkout's local instance", () => {
  const folders: string[] = [];
  const folder = async () => {
    const made = await mkdtemp(join(tmpdir(), "voltstack-state-"));
    folders.push(made);
    return made;
  };
  afterEach(async () => {
    for (const made of folders.splice(0)) await rm(made, { recursive: true, force: true });
  });

  it("is made once and kept, so every start uses the same schemas and subjects", async () => {
    const state = await folder();
    const first = await localInstance(state);
    expect(await localInstance(state)).toEqual(first);
    expect(JSON.parse(await readFile(join(state, "instance.json"), "utf8"))).toEqual(first);
    // A plain lower-case identifier: usable as a schema name without quoting.
    expect(`${first.schemaPrefix}verification`).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
    expect(first.subjectPrefix).toMatch(/^vs_[0-9a-f]{6}\.$/);
  });

  it("differs between checkouts, so two on one server never share a schema or a stream", async () => {
    const [one, two] = [await localInstance(await folder()), await localInstance(await folder())];
    expect(one.schemaPrefix).not.toBe(two.schemaPrefix);
    expect(one.subjectPrefix).not.toBe(two.subjectPrefix);
    expect(one.schemaPrefix).not.toBe("");
  });
});
