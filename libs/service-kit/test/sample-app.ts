import { Controller, Get, HttpCode, Injectable, Module, Post } from "@nestjs/common";
import { PrismaClientKnownRequestError } from "@prisma/client/runtime/client";
import { z } from "zod";
import { safeUint, stacksPrincipal, uintAmount } from "@voltstack/api";
import {
  ActsFor,
  ApiError,
  type Caller,
  CurrentCaller,
  Public,
  Roles,
  ZodBody,
  ZodParam,
  ZodQuery,
} from "@voltstack/service-kit";

// A tiny service standing in for the real ones: facilities an owner registers and an admin approves.

export const registerFacility = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{3,40}$/),
  ownerPrincipal: stacksPrincipal,
  capacityKwh: safeUint({ max: 1_000_000 }),
  depositUstx: uintAmount(),
});

const facilityId = z.string().regex(/^[a-z0-9-]{3,40}$/);

const listQuery = z.strictObject({
  owner: stacksPrincipal.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

interface Facility {
  id: string;
  ownerPrincipal: string;
  capacityKwh: number;
  depositUstx: bigint;
  approved: boolean;
  registeredBy: string;
}

@Injectable()
export class FacilityStore {
  readonly facilities = new Map<string, Facility>();
}

const view = (facility: Facility) => ({ ...facility, depositUstx: facility.depositUstx.toString() });

@Controller("facilities")
export class FacilitiesController {
  constructor(private readonly store: FacilityStore) {}

  @Get()
  list(@ZodQuery(listQuery) query: z.output<typeof listQuery>) {
    const items = [...this.store.facilities.values()].filter(
      (f) => query.owner === undefined || f.ownerPrincipal === query.owner,
    );
    return { items: items.slice(0, query.limit).map(view), limit: query.limit };
  }

  @Get(":id")
  find(@ZodParam("id", facilityId) id: string) {
    const facility = this.store.facilities.get(id);
    if (!facility) throw ApiError.notFound("FACILITY_NOT_FOUND", `No facility ${id}.`, { id });
    return view(facility);
  }

  @Post()
  @Roles("owner", "admin")
  @ActsFor({ body: "ownerPrincipal" })
  register(@ZodBody(registerFacility) body: z.output<typeof registerFacility>, @CurrentCaller() caller: Caller) {
    if (this.store.facilities.has(body.id))
      throw ApiError.conflict("FACILITY_EXISTS", `Facility ${body.id} is already registered.`);
    const facility = { ...body, approved: false, registeredBy: caller.id };
    this.store.facilities.set(body.id, facility);
    return view(facility);
  }

  @Post(":id/approve")
  @HttpCode(200)
  @Roles("admin")
  approve(@ZodParam("id", facilityId) id: string) {
    const facility = this.store.facilities.get(id);
    if (!facility) throw ApiError.notFound("FACILITY_NOT_FOUND", `No facility ${id}.`, { id });
    facility.approved = true;
    return view(facility);
  }

  // A mutating route without @Roles: any authenticated caller.
  @Post(":id/ping")
  @HttpCode(204)
  ping(): void {}

  // Signed telemetry from the site's own meter needs no credentials.
  @Post(":id/telemetry")
  @Public()
  @HttpCode(202)
  telemetry(): void {}

  // What a Prisma-backed handler throws when a unique key clashes or a record is missing.
  @Post(":id/readings/:txId")
  @Roles("operator")
  recordReading(@ZodParam("txId", z.string()) txId: string): never {
    throw new PrismaClientKnownRequestError(`Unique constraint failed on the fields: (\`tx_id\`)`, {
      code: txId === "missing" ? "P2025" : "P2002",
      clientVersion: "7.10.0",
      meta: { modelName: "CapacityReading", target: ["tx_id"] },
    });
  }

  @Get("boom/now")
  boom(): never {
    throw new Error("database password is hunter2");
  }
}

@Module({ controllers: [FacilitiesController], providers: [FacilityStore], exports: [FacilityStore] })
export class SampleModule {}
