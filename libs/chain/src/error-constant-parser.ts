const ERROR_CONSTANT = /\(define-constant\s+(ERR_[A-Z0-9_]+)\s+\(err\s+u(\d+)\)\s*\)/g;

/** The `(define-constant ERR_X (err uN))` declarations of one Clarity source, as code -> constant name. */
export function parseErrorConstants(source: string): Record<number, string> {
  const errors: Record<number, string> = {};
  for (const match of source.matchAll(ERROR_CONSTANT)) {
    const code = Number(match[2]);
    const name = match[1] as string;
    const existing = errors[code];
    if (existing !== undefined && existing !== name) {
      throw new Error(`Error code u${code} is declared twice (${existing} and ${name}).`);
    }
    errors[code] = name;
  }
  return errors;
}
