import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  blockHeight,
  cursorParam,
  idParam,
  PG_INTEGER_MAX,
  recordId,
  USTX_SUPPLY_MAX,
  ustxAmount,
} from "@voltstack/api";
import { ApiError, ZodValidationPipe } from "@voltstack/service-kit";

/** The 400 a pipe answers for `input`, or undefined when it is accepted. */
function refusal(schema: z.ZodType, input: unknown, part: "body" | "query" | "path" = "body") {
  try {
    new ZodValidationPipe(schema, part).transform(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).toBody() as { code: string; details: { issues: Record<string, unknown>[] } };
  }
}

describe("integer fields bounded by their column", () => {
  const body = z.strictObject({ fromHeight: blockHeight(), facilityId: recordId("facility").optional() });

  it("refuses a height above PostgreSQL's INTEGER with the field, the bound and the value", () => {
    const answer = refusal(body, { fromHeight: PG_INTEGER_MAX + 1 });
    expect(answer?.code).toBe("VALIDATION_FAILED");
    expect(answer?.details.issues).toEqual([
      expect.objectContaining({ path: "fromHeight", code: "too_big", maximum: PG_INTEGER_MAX, received: 2147483648 }),
    ]);
  });

  it("accepts the bound itself", () => {
    expect(refusal(body, { fromHeight: PG_INTEGER_MAX, facilityId: PG_INTEGER_MAX })).toBeUndefined();
  });

  it("reports the lower bound of an id sent as zero", () => {
    const answer = refusal(body, { fromHeight: 1, facilityId: 0 });
    expect(answer?.details.issues).toEqual([
      expect.objectContaining({ path: "facilityId", code: "too_small", minimum: 1, received: 0 }),
    ]);
  });

  it("bounds path ids and page cursors read from text", () => {
    expect(refusal(idParam("facility"), "2147483648", "path")?.details.issues).toEqual([
      expect.objectContaining({ code: "too_big", maximum: PG_INTEGER_MAX, received: 2147483648 }),
    ]);
    const query = z.strictObject({ after: cursorParam("facility").optional() });
    expect(refusal(query, { after: "9999999999" }, "query")?.details.issues).toEqual([
      expect.objectContaining({ path: "after", maximum: PG_INTEGER_MAX, received: 9999999999 }),
    ]);
    // More digits than the bound has are refused before they are read as a number.
    expect(refusal(query, { after: "1".repeat(400) }, "query")?.details.issues).toEqual([
      expect.objectContaining({ path: "after", code: "invalid_format" }),
    ]);
  });

  it("bounds micro-STX by the STX supply and reports bigints as decimal strings", () => {
    const payment = z.strictObject({ paymentUstx: ustxAmount({ min: 1n }) });
    const above = (USTX_SUPPLY_MAX + 1n).toString();
    const answer = refusal(payment, { paymentUstx: above });
    expect(answer?.details.issues).toEqual([
      expect.objectContaining({ path: "paymentUstx", maximum: USTX_SUPPLY_MAX.toString(), received: above }),
    ]);
    // The details travel as JSON.
    expect(() => JSON.stringify(answer)).not.toThrow();
    expect(refusal(payment, { paymentUstx: USTX_SUPPLY_MAX.toString() })).toBeUndefined();
    expect(refusal(payment, { paymentUstx: "0" })?.details.issues).toEqual([
      expect.objectContaining({ minimum: "1", received: "0" }),
    ]);
  });
});
