import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from "@nestjs/common";
import { ApiBearerAuth, ApiExtension } from "@nestjs/swagger";
import type { HttpRequest as Request } from "../http-exchange.js";
import { REFUSALS_EXTENSION } from "../openapi/operation.js";
import type { Caller, Role } from "./roles.js";

export const ROLES_KEY = "voltstack:roles";
export const PUBLIC_KEY = "voltstack:public";
export const ACTS_FOR_KEY = "voltstack:acts-for";
/** Names the roles an operation needs in the OpenAPI document, for people and for tools. */
export const ROLES_EXTENSION = "x-roles";
/** Marks @Public operations in the OpenAPI document, so they are not shown as needing credentials. */
export const PUBLIC_OPERATION_EXTENSION = "x-public";

/** Where in the request the principal a call acts for is named. */
export type PrincipalLocation = { body: string } | { param: string } | { query: string };

/** Only callers holding one of these roles may call the handler (401 without credentials, 403 otherwise). */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiExtension(`${REFUSALS_EXTENSION}-roles`, { ROLE_NOT_ALLOWED: 403 }),
    ApiExtension(ROLES_EXTENSION, roles),
  );
}

/** Lets a mutating handler run without credentials. Reads are public unless they carry @Roles. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));

/**
 * The handler acts for the Stacks principal(s) named at `location` (a string or an
 * array of strings): the call is refused with 403 unless the caller was given every one.
 */
export function ActsFor(location: PrincipalLocation): MethodDecorator {
  return applyDecorators(
    SetMetadata(ACTS_FOR_KEY, location),
    ApiExtension(`${REFUSALS_EXTENSION}-acts-for`, { PRINCIPAL_NOT_ALLOWED: 403 }),
  );
}

/** The authenticated caller (undefined on a public route called without credentials). */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller | undefined => {
  return context.switchToHttp().getRequest<Request & { caller?: Caller }>().caller;
});
