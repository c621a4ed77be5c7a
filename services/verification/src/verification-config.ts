import type { z } from "zod";
import { chainServiceChecks, chainServiceFields, envSchemaName, serviceConfigSchema } from "@voltstack/service-kit";

/** The PostgreSQL schema of the service's tables; migrate.ts reads it too. */
export const verificationSchemaName = envSchemaName().default("verification");

/** Everything the verification service reads from the environment. */
export const verificationConfigSchema = serviceConfigSchema({
  defaultPort: 3101,
  extra: { VERIFICATION_SCHEMA: verificationSchemaName, ...chainServiceFields },
}).superRefine(chainServiceChecks());

export type VerificationConfig = z.output<typeof verificationConfigSchema>;
