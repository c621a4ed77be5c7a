import { type AmountUnit, amountFormatter, type Ustx } from "./amounts.js";

export { formatStx } from "./amounts.js";

/** How a command prints: readable tables for people, or one JSON document for scripts. */
export interface Output {
  json: boolean;
  /** The command's result: a table (or lines) for people, the value itself as JSON. */
  result(value: unknown, render: () => string): void;
  /** A line for people only (stderr when --json, so stdout stays parseable). */
  note(line: string): void;
  /** A line on stderr whatever the format: what must stay out of a file stdout is redirected to. */
  aside(line: string): void;
  /** Runs `work` showing what it waits for, with the elapsed seconds on a terminal. */
  progress<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** An amount in the unit people asked for: STX with separators, or micro-STX with --ustx. */
  money(ustx: Ustx): string;
}

/** Where the output goes: the process's streams, or a test's. */
export interface OutputStreams {
  stdout: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
  stderr: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
}

export function createOutput(
  json: boolean,
  unit: AmountUnit = "stx",
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
): Output {
  const notes = json ? streams.stderr : streams.stdout;
  return {
    json,
    money: amountFormatter(unit),
    result(value, render) {
      streams.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${render()}\n`);
    },
    note(line) {
      notes.write(`${line}\n`);
    },
    aside(line) {
      streams.stderr.write(`${line}\n`);
    },
    async progress(label, work) {
      const started = Date.now();
      const live = notes.isTTY === true;
      const draw = () => notes.write(`\r${label}… ${((Date.now() - started) / 1000).toFixed(0)} s`);
      const timer = live ? setInterval(draw, 250) : undefined;
      if (!live) notes.write(`${label}…\n`);
      try {
        const value = await work();
        if (live) notes.write(`\r${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        return value;
      } catch (error) {
        if (live) notes.write(`\r${label}: failed\n`);
        throw error;
      } finally {
        if (timer) clearInterval(timer);
      }
    },
  };
}

type Cell = string | number | boolean | null | undefined;

/** A plain-text table: a header row, a rule, and columns padded to their widest cell. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? "-" : String(cell))));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  if (text.length === 0) return `${line(headers)}\n(none)`;
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...text.map(line)].join("\n");
}
