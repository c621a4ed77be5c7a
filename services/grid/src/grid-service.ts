import { serviceReadiness } from "@voltstack/chain-sync";
import type { BootstrapOptions } from "@voltstack/service-kit";
import type { GridConfig } from "./grid-config.js";

/** How the grid service is bootstrapped, by main.ts and by the tests alike. */
export function gridBootstrapOptions(config: GridConfig): BootstrapOptions {
  return {
    name: "grid",
    config,
    openApi: {
      title: "Grid service",
      version: "1.0.0",
      description:
        "Frequency target and readings, and escrowed grid-service requests over the grid-services contract. " +
        "Writes answer once the chain confirmed them; reads come from the read model the chain follower keeps.",
    },
    readiness: serviceReadiness,
  };
}
