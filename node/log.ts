/**
 * The node's log: leveled lines on stderr with a timestamp, as Substrate
 * prints them.
 *
 * @module
 */

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Where the node's services write what they do. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const ORDER: LogLevel[] = ["error", "warn", "info", "debug"];

/** A logger printing messages at `level` and more severe ones to stderr. */
export function createLogger(
  level: LogLevel,
  write = (line: string) => console.error(line),
): Logger {
  const enabled = (l: LogLevel) => ORDER.indexOf(l) <= ORDER.indexOf(level);
  const line = (l: LogLevel) => (message: string) => {
    if (!enabled(l)) return;
    const time = new Date().toISOString().replace("T", " ").slice(0, 19);
    write(`${time} ${l.toUpperCase().padEnd(5)} ${message}`);
  };
  return { error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug") };
}
