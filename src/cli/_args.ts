/**
 * Argument parsing for every command: `node:util`'s `parseArgs` in strict
 * mode, its errors turned into {@linkcode UsageError}s, and the value
 * parsers the options share (durations, integers, status lists).
 *
 * @module
 */
import type { NodeUtil, ParseArgsOption } from "./_node.ts";

/** A command line that cannot be run as written: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The exit codes, as `--help` and docs/cli.md document them. */
export const EXIT = Object.freeze({
  /** Delivered, or the operation succeeded. */
  ok: 0,
  /** Not delivered, not found, or the operation failed. */
  failed: 1,
  /** A usage error: an unknown option, a missing or malformed value. */
  usage: 2,
});

/** Options and positionals of one command, after parsing. */
export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses `args` strictly against `options`; `--help`/`-h` is always known. */
export function parseCommand(
  util: NodeUtil,
  args: readonly string[],
  options: Record<string, ParseArgsOption>,
): ParsedArgs {
  try {
    return util.parseArgs({
      args: [...args],
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message : String(error),
    );
  }
}

/** A string option's value, or `undefined` when absent. */
export function stringOption(
  parsed: ParsedArgs,
  name: string,
): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/** A repeatable string option's values. */
export function stringsOption(parsed: ParsedArgs, name: string): string[] {
  const value = parsed.values[name];
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === "string");
  }
  return typeof value === "string" ? [value] : [];
}

/** Whether a boolean option was given. */
export function flag(parsed: ParsedArgs, name: string): boolean {
  return parsed.values[name] === true;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A duration in milliseconds from `500ms`, `2s`, `1.5m`, `1h` or `7d`; a
 * bare number is milliseconds.
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${option} must be a duration such as 500ms, 2s, 1m or 1h: got ${
        JSON.stringify(text)
      }`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]!);
}

/** An integer from `min` to `max`. */
export function parseInteger(
  text: string,
  option: string,
  min: number,
  max: number,
): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${option} must be an integer from ${min} to ${max}: got ${
        JSON.stringify(text)
      }`,
    );
  }
  return value;
}

/** A human form of a duration: `850 ms`, `2 s`, `1.5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(1))} s`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}
