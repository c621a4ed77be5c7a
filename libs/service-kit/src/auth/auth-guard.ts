import { type CanActivate, type ExecutionContext, Inject, Injectable } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import type { HttpRequest as Request } from "../http-exchange.js";
import { ApiError } from "../errors/api-error.js";
import { ApiKeyAuthenticator } from "./api-key-authenticator.js";
import { ACTS_FOR_KEY, PUBLIC_KEY, ROLES_KEY, type PrincipalLocation } from "./auth-decorators.js";
import type { AuthOptions } from "./auth-options.js";
import { JwtAuthenticator, JwtRejected } from "./jwt-authenticator.js";
import type { Caller, Role } from "./roles.js";

export const AUTH_OPTIONS = Symbol("AUTH_OPTIONS");

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type AuthenticatedRequest = Request & { caller?: Caller };

/**
 * Every mutating request and every @Roles handler needs a bearer API key or JWT;
 * @Roles narrows who may call, @ActsFor which principals a call may act for.
 */
// Explicit @Inject everywhere: the kit must also work when compiled without decorator metadata (tsx, esbuild).
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly apiKeys: ApiKeyAuthenticator;
  private readonly jwt: JwtAuthenticator | undefined;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.apiKeys = new ApiKeyAuthenticator(options.apiKeys);
    this.jwt = options.jwt && new JwtAuthenticator(options.jwt);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== "http") return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true;
    const needsCaller = roles !== undefined || (MUTATING.has(request.method) && !isPublic);

    const token = bearerToken(request);
    if (token === undefined) {
      if (!needsCaller) return true;
      throw ApiError.unauthorized("UNAUTHENTICATED", "This request needs a bearer API key or token.");
    }
    const caller = await this.authenticate(token);
    request.caller = caller;

    if (roles !== undefined && !caller.roles.some((role) => roles.includes(role))) {
      throw ApiError.forbidden("ROLE_NOT_ALLOWED", `This request needs the role ${roles.join(" or ")}.`, {
        required: roles,
        granted: caller.roles,
      });
    }
    const location = this.reflector.get<PrincipalLocation | undefined>(ACTS_FOR_KEY, context.getHandler());
    if (location) checkPrincipals(caller, principalsAt(request, location));
    return true;
  }

  private async authenticate(token: string): Promise<Caller> {
    if (this.jwt && JWT_SHAPE.test(token)) {
      try {
        return await this.jwt.authenticate(token);
      } catch (error) {
        if (error instanceof JwtRejected)
          throw ApiError.unauthorized("INVALID_CREDENTIALS", `The bearer token was rejected: ${error.message}.`);
        throw error;
      }
    }
    const caller = this.apiKeys.authenticate(token);
    if (!caller) throw ApiError.unauthorized("INVALID_CREDENTIALS", "The API key is not valid.");
    return caller;
  }
}

function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  if (typeof header !== "string") throw ApiError.unauthorized("UNAUTHENTICATED", "Send one Authorization header.");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match)
    throw ApiError.unauthorized("UNAUTHENTICATED", "The Authorization header must be 'Bearer <API key or token>'.");
  return match[1];
}

function principalsAt(request: Request, location: PrincipalLocation): unknown {
  if ("body" in location) return (request.body as Record<string, unknown> | undefined)?.[location.body];
  if ("param" in location) return request.params[location.param];
  return (request.query as Record<string, unknown> | undefined)?.[location.query];
}

// A missing or malformed value is left to request validation, which answers 400.
function checkPrincipals(caller: Caller, value: unknown): void {
  const wanted =
    typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
  const foreign = wanted.filter((principal) => !caller.principals.includes(principal));
  if (foreign.length > 0) {
    throw ApiError.forbidden("PRINCIPAL_NOT_ALLOWED", `The caller may not act for ${foreign.join(", ")}.`, {
      principals: foreign,
    });
  }
}
