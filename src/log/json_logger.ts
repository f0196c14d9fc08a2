import type { Logger, LogLevel } from "./logger.ts";
import { isoNow } from "./_iso_now.ts";

/**
 * Options of {@linkcode createJsonLogger}.
 *
 * @example Warnings and errors only, collected in memory
 * ```ts
 * import { createJsonLogger, type JsonLoggerOptions } from "@omoi/webhook-delivery";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const options: JsonLoggerOptions = {
 *   level: "warn",
 *   write: (line) => lines.push(line),
 * };
 * const logger = createJsonLogger(options);
 * logger.info("Webhook delivered", {});
 * logger.warn("Webhook attempt failed, will retry", { attempt: 1 });
 *
 * assert.deepEqual(lines.map((line) => JSON.parse(line).attempt), [1]);
 * ```
 */
export interface JsonLoggerOptions {
  /**
   * The lowest level written; records below it are dropped.
   *
   * @default {"info"}
   */
  level?: LogLevel;
  /**
   * Receives each record as one line of JSON, without a trailing newline.
   *
   * @default {(line) => console.log(line)}
   */
  write?: (line: string) => void;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

const RESERVED_KEYS = new Set(["time", "level", "logger", "msg"]);

/**
 * Creates the default {@linkcode Logger} of a {@linkcode WebhookDeliveryService}:
 * one JSON object per line, with `time`, `level`, `logger`
 * (`"webhook-delivery"`) and `msg` first, then the record's fields.
 *
 * @example Logging warnings and errors only
 * ```ts
 * import { createJsonLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({
 *   logger: createJsonLogger({ level: "warn" }),
 * });
 * ```
 *
 * @example Writing the lines somewhere else
 * ```ts
 * import { createJsonLogger } from "@omoi/webhook-delivery";
 *
 * const lines: string[] = [];
 * const logger = createJsonLogger({ write: (line) => lines.push(line) });
 * logger.info("Webhook delivered", { status: 200 });
 * // lines[0] is {"time":"…","level":"info","logger":"webhook-delivery","msg":"Webhook delivered","status":200}
 * ```
 *
 * @param options How much to write, and where.
 * @returns A logger that writes JSON lines.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const threshold = SEVERITY[level];
  if (!Object.hasOwn(SEVERITY, level) || threshold === undefined) {
    throw new RangeError(
      `Cannot create JSON logger as 'level' must be one of debug, info, warn or error: current value is ${
        String(level)
      }`,
    );
  }
  const write = options.write ?? ((line: string) => console.log(line));
  if (typeof write !== "function") {
    throw new TypeError(
      `Cannot create JSON logger as 'write' must be a function: current value is ${typeof write}`,
    );
  }

  function log(
    recordLevel: LogLevel,
    message: string,
    fields: Record<string, unknown>,
  ): void {
    if (SEVERITY[recordLevel] < threshold) return;
    const record: Record<string, unknown> = {
      time: isoNow(),
      level: recordLevel,
      logger: "webhook-delivery",
      msg: message,
    };
    // A replacer costs JSON.stringify its fast path (bench/NOTES.md): it is
    // passed only when some value is an object or a bigint, the cases it
    // exists for. Records of the service hold none.
    let plain = true;
    for (const key in fields) {
      if (!Object.hasOwn(fields, key) || RESERVED_KEYS.has(key)) continue;
      const value = fields[key];
      record[key] = value;
      if (
        typeof value === "object" ? value !== null : typeof value === "bigint"
      ) {
        plain = false;
      }
    }
    write(plain ? JSON.stringify(record) : JSON.stringify(record, jsonSafe));
  }

  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
  };
}

/** Keeps values that JSON cannot hold readable instead of throwing or dropping them. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    return { name: value.name, message: value.message };
  }
  return value;
}
