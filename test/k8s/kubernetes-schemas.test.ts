import { describe, expect, it } from "vitest";
import { isBuiltIn, schemaErrors, unknownFields } from "./kubernetes-schemas.js";
import type { Manifest } from "./render.js";

// The manifest rules pass when these find nothing, so they must find what they are for.

const deployment = (container: Record<string, unknown>, spec: Record<string, unknown> = {}): Manifest => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "example", labels: { "app.kubernetes.io/name": "example" } },
  spec: {
    selector: { matchLabels: { "app.kubernetes.io/name": "example" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "example" } },
      spec: { containers: [{ name: "example", image: "example:1", ...container }] },
    },
    ...spec,
  },
});

describe("the Kubernetes API schemas", () => {
  it("know the built-in kinds and no custom resource", () => {
    expect(isBuiltIn(deployment({}))).toBe(true);
    expect(isBuiltIn({ apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", metadata: { name: "x" } })).toBe(false);
  });

  it("accept a valid object", () => {
    const valid = deployment({
      securityContext: { readOnlyRootFilesystem: true },
      resources: { limits: { cpu: "1" } },
    });
    expect(schemaErrors(valid)).toEqual([]);
    expect(unknownFields(valid)).toEqual([]);
  });

  it("refuse a value of the wrong type, naming its path", () => {
    expect(schemaErrors(deployment({}, { replicas: "2" }))).toEqual(["/spec/replicas must be integer"]);
  });

  it("find misspelt fields at any depth, in lists and beside maps", () => {
    const misspelt = deployment({
      readOnlyRootFileSystem: true,
      securityContext: { runAsNonroot: true },
      env: [{ name: "A", vaule: "1" }],
    });
    (misspelt.metadata as Record<string, unknown>).lables = {};
    expect(unknownFields(misspelt).sort()).toEqual([
      "/metadata/lables",
      "/spec/template/spec/containers/0/env/0/vaule",
      "/spec/template/spec/containers/0/readOnlyRootFileSystem",
      "/spec/template/spec/containers/0/securityContext/runAsNonroot",
    ]);
  });
});
