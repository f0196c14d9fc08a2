/**
 * The progress of `send`: a {@linkcode Logger} that turns the sender's
 * attempt records into one line per attempt and, on a terminal, counts down
 * the wait before the next one.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import { formatDuration } from "./_args.ts";

/** A logger that prints attempts, and stops its countdown when asked. */
export interface AttemptPrinter extends Logger {
  /** Clears the countdown line, if one is shown. */
  stop(): void;
}

/** One attempt's line, from the fields of its log record. */
export function describeAttempt(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof fields.attempt === "number") {
    parts.push(
      `attempt ${fields.attempt}${
        typeof fields.maxAttempts === "number" ? `/${fields.maxAttempts}` : ""
      }:`,
    );
  }
  if (typeof fields.status === "number") parts.push(`HTTP ${fields.status}`);
  if (typeof fields.errorKind === "string") {
    parts.push(
      typeof fields.error === "string"
        ? `${fields.errorKind} (${fields.error})`
        : fields.errorKind,
    );
  }
  if (typeof fields.durationMs === "number") {
    parts.push(`in ${formatDuration(fields.durationMs)}`);
  }
  if (typeof fields.location === "string") {
    parts.push(`location ${fields.location}`);
  }
  const outcome = typeof fields.outcome === "string" ? fields.outcome : "";
  if (typeof fields.retryInMs === "number") {
    parts.push(`- next attempt in ${formatDuration(fields.retryInMs)}`);
  } else if (outcome) parts.push(`- ${outcome}`);
  return parts.join(" ");
}

/**
 * Prints each record with `write`. With `tty`, a wait before the next
 * attempt is shown as a countdown on the same line, rewritten every second.
 */
export function attemptPrinter(
  write: (text: string) => void,
  tty: boolean,
): AttemptPrinter {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    if (timer === undefined) return;
    clearInterval(timer);
    timer = undefined;
    write("\r\x1b[2K");
  };
  const record = (_message: string, fields: Record<string, unknown>): void => {
    stop();
    write(`${describeAttempt(fields)}\n`);
    const wait = fields.retryInMs;
    if (!tty || typeof wait !== "number" || wait < 1_000) return;
    const until = Date.now() + wait;
    const show = (): void => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1_000));
      write(`\r\x1b[2K  waiting ${left} s before the next attempt…`);
    };
    show();
    timer = setInterval(show, 1_000);
  };
  return { debug: record, info: record, warn: record, error: record, stop };
}
