import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { PrismaClient } from "../generated/prisma/client.js";
import type { FlowConfig } from "../flow-config.js";

/** The shared infrastructure on the flow schema. */
export const InfrastructureModule = ServiceInfrastructureModule.forRoot({
  name: "flow",
  prismaClient: PrismaClient,
  schema: (config: FlowConfig) => config.FLOW_SCHEMA,
});
