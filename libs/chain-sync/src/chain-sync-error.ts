/** Every error this library throws: a stable machine code and a sentence a person reads. */
export class ChainSyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ChainSyncError";
  }
}
