import { NestFactory } from "@nestjs/core";
import type { OpenAPIObject } from "@nestjs/swagger";
import { type BootstrapOptions, buildOpenApiDocument, serviceRootModule } from "@voltstack/service-kit";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AppModule as CapacityModule } from "../../services/capacity/src/app.module.js";
import { capacityBootstrapOptions } from "../../services/capacity/src/capacity-service.js";
import { AppModule as FlowModule } from "../../services/flow/src/app.module.js";
import { flowBootstrapOptions } from "../../services/flow/src/flow-service.js";
import { AppModule as GridModule } from "../../services/grid/src/app.module.js";
import { gridBootstrapOptions } from "../../services/grid/src/grid-service.js";
import { AppModule as RevenueModule } from "../../services/revenue/src/app.module.js";
import { revenueBootstrapOptions } from "../../services/revenue/src/revenue-service.js";
import { AppModule as VerificationModule } from "../../services/verification/src/app.module.js";
import { verificationBootstrapOptions } from "../../services/verification/src/verification-service.js";

const SERVICES = {
  verification: [VerificationModule, verificationBootstrapOptions],
  capacity: [CapacityModule, capacityBootstrapOptions],
  flow: [FlowModule, flowBootstrapOptions],
  grid: [GridModule, gridBootstrapOptions],
  revenue: [RevenueModule, revenueBootstrapOptions],
} as const;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** The number rule both documents state: which field names hold decimal strings, which integers. */
const DECIMAL_STRING = /(Ustx|MicroStx)$/;
const INTEGER = /(Kwh|Kw|PerKwh|Bps|Percent|Height)$/;

/** Every property in a JSON Schema tree whose name the rule speaks of, with the types it allows. */
function numberFields(schema: unknown, path = "", found: { path: string; types: string[] }[] = []) {
  if (Array.isArray(schema)) {
    schema.forEach((item, index) => numberFields(item, `${path}[${index}]`, found));
    return found;
  }
  if (typeof schema !== "object" || schema === null) return found;
  const node = schema as Record<string, unknown>;
  for (const [name, property] of Object.entries((node.properties as Record<string, unknown> | undefined) ?? {})) {
    if (DECIMAL_STRING.test(name) || INTEGER.test(name))
      found.push({ path: `${path}.${name}`, types: typesOf(property) });
  }
  for (const [key, child] of Object.entries(node)) numberFields(child, `${path}/${key}`, found);
  return found;
}

function typesOf(schema: unknown): string[] {
  const node = (schema ?? {}) as Record<string, unknown>;
  if (Number.isInteger(node.const)) return ["integer"];
  const alternatives = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (alternatives) return alternatives.flatMap(typesOf).filter((type) => type !== "null");
  const type = node.type === "array" ? typesOf(node.items) : [node.type].flat();
  return type.filter((entry): entry is string => typeof entry === "string" && entry !== "null");
}

function breaksTheRule(fields: { path: string; types: string[] }[]): string[] {
  return fields
    .filter(({ path, types }) => {
      const name = path.slice(path.lastIndexOf(".") + 1);
      if (DECIMAL_STRING.test(name) && !name.endsWith("PerKwh")) return types.some((type) => type !== "string");
      // kW and kWh beyond 2^53 - 1, which only a wallet's own call reaches, stay exact as strings.
      return !types.includes("integer") || types.some((type) => type !== "integer" && type !== "string");
    })
    .map(({ path, types }) => `${path}: ${types.join(" | ")}`);
}

/**
 * The service's OpenAPI document as it serves it, built from its modules without starting
 * anything: Nest's preview mode resolves the modules but creates no provider.
 */
async function documentOf(service: keyof typeof SERVICES): Promise<OpenAPIObject> {
  const [module, bootstrapOptions] = SERVICES[service];
  const options: BootstrapOptions = (bootstrapOptions as (config: never) => BootstrapOptions)({} as never);
  const app = await NestFactory.create(serviceRootModule(module, options), { preview: true, logger: false });
  try {
    return buildOpenApiDocument(app, { title: options.name, ...options.openApi });
  } finally {
    await app.close();
  }
}

describe.each(Object.keys(SERVICES) as (keyof typeof SERVICES)[])("the %s service's OpenAPI document", (service) => {
  it("gives every operation a summary, a success answer with its body, and refusals in the { code, message, details } shape", async () => {
    const document = await documentOf(service);
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary?.trim()) problems.push(`${name} has no summary`);
        const success = Object.entries(operation.responses).filter(
          ([status]) => /^2\d\d$/.test(status) && status !== "202",
        );
        if (success.length === 0) problems.push(`${name} documents no success answer`);
        for (const [status, response] of success) {
          if (!response || !("content" in response) || !response.content)
            problems.push(`${name} documents no body for ${status}`);
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^[45]\d\d$/.test(status)) continue;
          const schema = response && "content" in response ? response.content?.["application/json"]?.schema : undefined;
          const codes = (schema as { properties?: { code?: { enum?: string[] } } } | undefined)?.properties?.code?.enum;
          if (!codes?.length) problems.push(`${name} lists no codes for ${status}`);
        }
        if (method !== "get" && !operation.responses["400"]) problems.push(`${name} documents no 400`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("says that reads need no credentials, on the document and on each public read", async () => {
    const document = await documentOf(service);
    expect(document.info.description).toContain("Reads (GET) need no credentials");
    for (const [path, item] of Object.entries(document.paths)) {
      const read = item.get;
      if (read && !read.security?.length) expect(read.description, `GET ${path}`).toContain("needs no credentials");
    }
  });
});

describe("the number rule", () => {
  it("holds in the events' document: micro-STX as decimal strings, kWh, kW, prices per kWh and bps as integers", () => {
    const document = parse(readFileSync(new URL("../../docs/asyncapi.yaml", import.meta.url), "utf8")) as unknown;
    const fields = numberFields((document as { components?: unknown }).components);
    expect(fields.length).toBeGreaterThan(20);
    expect(breaksTheRule(fields)).toEqual([]);
  });

  it.each(Object.keys(SERVICES) as (keyof typeof SERVICES)[])("holds in the %s service's answers", async (service) => {
    const document = await documentOf(service);
    const answers = Object.values(document.paths).flatMap((item) =>
      METHODS.flatMap((method) => Object.entries(item[method]?.responses ?? {}))
        .filter(([status]) => /^2\d\d$/.test(status))
        .map(([, response]) => response),
    );
    expect(breaksTheRule(numberFields(answers))).toEqual([]);
  });
});
