export const ROLES = ["admin", "operator", "owner"] as const;
/** admin: runs the platform; operator: runs facilities for owners; owner: owns facilities. */
export type Role = (typeof ROLES)[number];

/** Who is calling, established by the authentication guard. */
export interface Caller {
  /** API key name or JWT subject. */
  id: string;
  via: "api-key" | "jwt";
  roles: Role[];
  /** The Stacks principals this caller may act for; nothing else. */
  principals: string[];
}
