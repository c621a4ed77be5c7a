import type { LoggerService, LogLevel } from "@nestjs/common";
import type { Logger } from "pino";

// Nest's levels onto pino's: verbose is pino's trace.
const PINO_LEVEL: Record<LogLevel, "fatal" | "error" | "warn" | "info" | "debug" | "trace"> = {
  fatal: "fatal",
  error: "error",
  warn: "warn",
  log: "info",
  debug: "debug",
  verbose: "trace",
};

/**
 * NestJS's logger interface over a pino logger: every line Nest or a service's
 * `new Logger(context)` writes becomes one JSON line with `context` as a field
 * (and the error's stack as `stack`), instead of Nest's coloured text.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write("log", message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write("error", message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write("warn", message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write("debug", message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write("verbose", message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write("fatal", message, rest);
  }

  setLogLevels(levels: LogLevel[]): void {
    const order: LogLevel[] = ["verbose", "debug", "log", "warn", "error", "fatal"];
    const lowest = order.find((level) => levels.includes(level));
    this.logger.level = lowest ? PINO_LEVEL[lowest] : "silent";
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context last, and for errors the stack before it.
    const args = [...rest];
    const context = typeof args[args.length - 1] === "string" && args.length > 0 ? (args.pop() as string) : undefined;
    const stack =
      level === "error" && typeof args[0] === "string" && args[0].includes("\n    at ") ? args.shift() : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (args.length > 0) fields.details = args;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[PINO_LEVEL[level]](fields, message.message);
    } else if (typeof message === "object" && message !== null) {
      this.logger[PINO_LEVEL[level]]({ ...fields, ...message });
    } else {
      this.logger[PINO_LEVEL[level]](fields, String(message));
    }
  }
}
