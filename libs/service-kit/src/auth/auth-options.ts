import type { Role } from "./roles.js";

export interface ApiKeyEntry {
  /** Shown in logs and as the caller id; never the key itself. */
  name: string;
  /** SHA-256 of the key, lower-case hex. Keys are stored only as this hash. */
  sha256: string;
  role: Role;
  principals: string[];
}

export interface JwtOptions {
  issuer: string;
  audience: string;
  /** The identity provider's JWKS endpoint (OIDC `jwks_uri`). */
  jwksUrl?: string;
  /** Or one PEM public key (SPKI), for providers without JWKS. */
  publicKeyPem?: string;
  algorithms: string[];
  /** Dot path of the claim holding role names, e.g. "roles" or "realm_access.roles". */
  rolesClaim: string;
  /** Dot path of the claim listing the Stacks principals the caller may act for. */
  principalsClaim: string;
  /** Maps the provider's role or group names to ours; unmapped names that are ours pass through. */
  roleMap?: Record<string, Role>;
  clockToleranceSeconds: number;
}

export interface AuthOptions {
  apiKeys: ApiKeyEntry[];
  jwt?: JwtOptions;
}
