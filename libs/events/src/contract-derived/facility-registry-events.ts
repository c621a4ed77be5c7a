import { z } from "zod";
import { defineEvent } from "../event-definition.js";
import {
  asciiTextSchema,
  entityIdSchema,
  positiveKwSchema,
  positiveKwhSchema,
  utf8TextSchema,
} from "../field-schemas.js";
import { stacksPrincipalSchema } from "../stacks-principal.js";
import { ADMIN, OPERATOR, OWNER } from "./example-principals.js";

const origin = (topic: string) => ({ kind: "chain", contract: "facility-registry", topic }) as const;

export const facilityRegistryEvents = {
  "facility.registered": defineEvent({
    version: 1,
    summary: "A facility was registered by its owner and awaits review.",
    description: "The facility starts as pending; an admin approves or rejects it.",
    origin: origin("facility-registered"),
    payload: z.object({
      facilityId: entityIdSchema,
      owner: stacksPrincipalSchema,
      name: utf8TextSchema(64, 1),
      location: utf8TextSchema(128),
      capacityKwh: positiveKwhSchema,
      maxPowerKw: positiveKwSchema,
    }),
    example: {
      facilityId: 1,
      owner: OWNER,
      name: "Harbour Battery 1",
      location: "Rotterdam, NL",
      capacityKwh: 2000,
      maxPowerKw: 500,
    },
  }),
  "facility.approved": defineEvent({
    version: 1,
    summary: "An admin approved a pending facility; it may now initialise capacity and take grid services.",
    description: "Carries the registered capacity so a consumer needs no lookup.",
    origin: origin("facility-approved"),
    payload: z.object({
      facilityId: entityIdSchema,
      owner: stacksPrincipalSchema,
      capacityKwh: positiveKwhSchema,
      maxPowerKw: positiveKwSchema,
      admin: stacksPrincipalSchema,
    }),
    example: { facilityId: 1, owner: OWNER, capacityKwh: 2000, maxPowerKw: 500, admin: ADMIN },
  }),
  "facility.rejected": defineEvent({
    version: 1,
    summary: "An admin rejected a pending facility.",
    description: "Final: a rejected facility is never approved.",
    origin: origin("facility-rejected"),
    payload: z.object({
      facilityId: entityIdSchema,
      owner: stacksPrincipalSchema,
      reason: asciiTextSchema(64),
      admin: stacksPrincipalSchema,
    }),
    example: { facilityId: 2, owner: OWNER, reason: "grid connection not verified", admin: ADMIN },
  }),
  "facility.suspended": defineEvent({
    version: 1,
    summary: "An admin suspended an approved facility; it takes no new grid services until reinstated.",
    description: "Suspension changes no capacity and no revenue already earned.",
    origin: origin("facility-suspended"),
    payload: z.object({ facilityId: entityIdSchema, owner: stacksPrincipalSchema, admin: stacksPrincipalSchema }),
    example: { facilityId: 1, owner: OWNER, admin: ADMIN },
  }),
  "facility.reinstated": defineEvent({
    version: 1,
    summary: "An admin reinstated a suspended facility; it is approved again.",
    description: "The facility is back in the approved state.",
    origin: origin("facility-reinstated"),
    payload: z.object({ facilityId: entityIdSchema, owner: stacksPrincipalSchema, admin: stacksPrincipalSchema }),
    example: { facilityId: 1, owner: OWNER, admin: ADMIN },
  }),
  "facility.operator.set": defineEvent({
    version: 1,
    summary: "The owner enabled or disabled an operator who may act for the facility.",
    description: "An enabled operator may record flows, update capacity, accept requests and distribute revenue.",
    origin: origin("operator-set"),
    payload: z.object({ facilityId: entityIdSchema, operator: stacksPrincipalSchema, enabled: z.boolean() }),
    example: { facilityId: 1, operator: OPERATOR, enabled: true },
  }),
  "registry.admin.added": defineEvent({
    version: 1,
    summary: "An admin added another admin.",
    description: "Admins review facilities, set grid demand and frequency targets, and create grid-service requests.",
    origin: origin("admin-added"),
    payload: z.object({ admin: stacksPrincipalSchema, by: stacksPrincipalSchema }),
    example: { admin: OPERATOR, by: ADMIN },
  }),
  "registry.admin.removed": defineEvent({
    version: 1,
    summary: "An admin removed another admin.",
    description: "The contract never removes the last admin.",
    origin: origin("admin-removed"),
    payload: z.object({ admin: stacksPrincipalSchema, by: stacksPrincipalSchema }),
    example: { admin: OPERATOR, by: ADMIN },
  }),
} as const;
