export interface ConfigIssue {
  /** The environment variable (or the path inside a JSON variable). */
  variable: string;
  message: string;
}

/** Thrown at start-up when configuration is missing or malformed; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIGURATION";

  constructor(readonly issues: ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((issue) => `  - ${issue.variable} ${issue.message}`).join("\n"),
    );
  }
}
