import { c32addressDecode } from "c32check";
import { z } from "zod";

// c32 alphabet in canonical upper case; an address is "S", a version character
// and the c32check encoding of a 20-byte hash (shorter when the hash has
// leading zero bytes, as in SP000000000000000000002Q6VF78).
const STANDARD_PRINCIPAL = "S[MNPT][0-9A-HJKMNP-TV-Z]{20,40}";
// Clarity contract names: a letter, then letters, digits, "-" or "_", 40 at most.
const CONTRACT_NAME = "[a-zA-Z][a-zA-Z0-9_-]{0,39}";
const PRINCIPAL_PATTERN = new RegExp(`^${STANDARD_PRINCIPAL}(\\.${CONTRACT_NAME})?$`);

// Mainnet and testnet, single- and multi-signature address versions.
const ADDRESS_VERSIONS = new Set([22, 20, 26, 21]);

function hasValidChecksum(principal: string): boolean {
  const address = principal.split(".")[0] ?? "";
  try {
    const [version] = c32addressDecode(address);
    return ADDRESS_VERSIONS.has(version);
  } catch {
    return false;
  }
}

/** A Stacks principal: a standard address or `address.contract-name`, checksum verified. */
export const stacksPrincipalSchema = z
  .string()
  .regex(
    PRINCIPAL_PATTERN,
    "must be a Stacks address (SP..., ST..., SM..., SN...), optionally followed by .contract-name",
  )
  .refine(hasValidChecksum, "must be a Stacks address with a valid c32check checksum")
  .meta({
    description: "Stacks principal: a standard address or address.contract-name",
    examples: ["ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"],
  });
