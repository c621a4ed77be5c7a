import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { PrismaClient } from "../generated/prisma/client.js";
import type { CapacityConfig } from "../capacity-config.js";

/** The shared infrastructure on the capacity schema. */
export const InfrastructureModule = ServiceInfrastructureModule.forRoot({
  name: "capacity",
  prismaClient: PrismaClient,
  schema: (config: CapacityConfig) => config.CAPACITY_SCHEMA,
});
