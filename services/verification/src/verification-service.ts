import { serviceReadiness } from "@voltstack/chain-sync";
import type { BootstrapOptions } from "@voltstack/service-kit";
import type { VerificationConfig } from "./verification-config.js";

/** How the verification service is bootstrapped, by main.ts and by the tests alike. */
export function verificationBootstrapOptions(config: VerificationConfig): BootstrapOptions {
  return {
    name: "verification",
    config,
    openApi: {
      title: "Verification service",
      version: "1.0.0",
      description:
        "Facility registration, admin review and operator delegation over the facility-registry contract. " +
        "Writes answer once the chain confirmed them; reads come from the read model the chain follower keeps.",
    },
    readiness: serviceReadiness,
  };
}
