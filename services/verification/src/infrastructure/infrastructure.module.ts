import { ServiceInfrastructureModule } from "@voltstack/chain-sync";
import { PrismaClient } from "../generated/prisma/client.js";
import type { VerificationConfig } from "../verification-config.js";

/** The shared infrastructure on the verification schema. */
export const InfrastructureModule = ServiceInfrastructureModule.forRoot({
  name: "verification",
  prismaClient: PrismaClient,
  schema: (config: VerificationConfig) => config.VERIFICATION_SCHEMA,
});
