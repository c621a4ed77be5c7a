import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { NO_DISTRIBUTION_HOOKS } from "../distribution/distribution-hooks.js";
import { PrismaClient } from "../generated/prisma/client.js";
import type { RevenueConfig } from "../revenue-config.js";
import { DISTRIBUTION_HOOKS } from "./tokens.js";

/** The shared infrastructure on the revenue schema, plus the distribution hooks. */
export const InfrastructureModule = ServiceInfrastructureModule.forRoot({
  name: "revenue",
  prismaClient: PrismaClient,
  schema: (config: RevenueConfig) => config.REVENUE_SCHEMA,
  providers: [
    // A copy per application, so a test can stop one instance at a hook without touching another.
    { provide: DISTRIBUTION_HOOKS, useFactory: () => ({ ...NO_DISTRIBUTION_HOOKS }) },
  ],
});
