// The text of a thrown value, for a vm_error or a read-only call's cause.
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
