import { Controller, Get, Module, Param } from "@nestjs/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Public, startTestService, type TestService } from "@voltstack/service-kit";

// What the database layer throws when it cannot be reached in time, as pg, pg-pool and Prisma word it.
const FAILURES: Record<string, () => Error> = {
  refused: () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
  "pool timeout": () => new Error("timeout exceeded when trying to connect"),
  "shutting down": () =>
    Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
  // Prisma's words (P2028) when every pooled connection stayed busy past a transaction's maxWait.
  "pool busy": () =>
    Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), {
      code: "P2028",
    }),
  "transaction expired": () =>
    Object.assign(new Error("Transaction API error: A commit cannot be executed on an expired transaction."), {
      code: "P2028",
    }),
  wrapped: () => new Error("query failed", { cause: Object.assign(new Error("too many clients"), { code: "53300" }) }),
  "a fault": () => new TypeError("Cannot read properties of undefined"),
};

@Controller("reads")
class ReadsController {
  @Public()
  @Get(":failure")
  read(@Param("failure") failure: string): never {
    throw FAILURES[failure]!();
  }
}

@Module({ controllers: [ReadsController] })
class ReadsModule {}

describe("a request the database could not serve", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService(ReadsModule);
  });
  afterAll(async () => {
    await service?.close();
  });

  it("answers 503 DATABASE_UNAVAILABLE with Retry-After, not a 500, however the database layer words it", async () => {
    for (const failure of ["refused", "pool timeout", "pool busy", "shutting down", "wrapped"]) {
      const response = await fetch(`${service.baseUrl}/reads/${encodeURIComponent(failure)}`);
      expect({ failure, status: response.status }).toEqual({ failure, status: 503 });
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.json()).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    }
  });

  it("still answers a fault of the code, or a transaction that outlived its timeout, as a 500 INTERNAL_ERROR", async () => {
    for (const failure of ["a fault", "transaction expired"]) {
      const response = await fetch(`${service.baseUrl}/reads/${encodeURIComponent(failure)}`);
      expect({ failure, status: response.status }).toEqual({ failure, status: 500 });
      expect(await response.json()).toMatchObject({ code: "INTERNAL_ERROR" });
    }
  });
});
