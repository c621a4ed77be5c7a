import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { JwtOptions } from "./auth-options.js";
import { stacksPrincipal } from "@voltstack/api";
import { ROLES, type Caller, type Role } from "./roles.js";

type VerificationKey = JWTVerifyGetKey | Awaited<ReturnType<typeof importSPKI>>;

export class JwtRejected extends Error {
  override readonly name = "JwtRejected";
}

/** Verifies bearer JWTs by signature, issuer, audience and expiry, and maps their claims to a caller. */
export class JwtAuthenticator {
  private key: Promise<VerificationKey> | undefined;

  constructor(private readonly options: JwtOptions) {}

  async authenticate(token: string): Promise<Caller> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (await this.verificationKey()) as JWTVerifyGetKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (cause) {
      throw new JwtRejected(cause instanceof Error ? cause.message : "invalid token", { cause });
    }
    const roles = this.rolesOf(payload);
    if (roles.length === 0) throw new JwtRejected(`the token grants none of the roles ${ROLES.join(", ")}`);
    const principals = claimAt(payload, this.options.principalsClaim) ?? [];
    const parsed = stacksPrincipal.array().safeParse(typeof principals === "string" ? [principals] : principals);
    if (!parsed.success) throw new JwtRejected(`claim ${this.options.principalsClaim} must list Stacks principals`);
    return { id: payload.sub!, via: "jwt", roles, principals: parsed.data };
  }

  private verificationKey(): Promise<VerificationKey> {
    this.key ??= this.options.jwksUrl
      ? Promise.resolve(createRemoteJWKSet(new URL(this.options.jwksUrl)))
      : importSPKI(this.options.publicKeyPem!, this.options.algorithms[0]!);
    return this.key;
  }

  private rolesOf(payload: JWTPayload): Role[] {
    const claim = claimAt(payload, this.options.rolesClaim);
    const names =
      typeof claim === "string"
        ? claim.split(" ")
        : Array.isArray(claim)
          ? claim.filter((n) => typeof n === "string")
          : [];
    const roles = names
      .map(
        (name) =>
          this.options.roleMap?.[name] ?? ((ROLES as readonly string[]).includes(name) ? (name as Role) : undefined),
      )
      .filter((role): role is Role => role !== undefined);
    return [...new Set(roles)];
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined),
      payload,
    );
}
