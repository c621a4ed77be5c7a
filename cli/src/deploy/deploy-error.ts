/** A deployment refused or failed, with a stable machine code; the deployer key never appears in it. */
export class DeployError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DeployError";
  }
}
