import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { PrismaClient } from "../generated/prisma/client.js";
import type { GridConfig } from "../grid-config.js";

/** The shared infrastructure on the grid schema. */
export const InfrastructureModule = ServiceInfrastructureModule.forRoot({
  name: "grid",
  prismaClient: PrismaClient,
  schema: (config: GridConfig) => config.GRID_SCHEMA,
});
