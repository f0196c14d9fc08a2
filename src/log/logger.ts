/**
 * Severity of a log record, from the most verbose to the most severe.
 *
 * @example Choosing the lowest level a logger writes
 * ```ts
 * import { createJsonLogger, type LogLevel } from "@omoi/webhook-delivery";
 *
 * const level: LogLevel = "warn";
 * const logger = createJsonLogger({ level });
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Where a {@linkcode WebhookDeliveryService} sends its structured log records.
 *
 * Each method receives a short human message and a record of camelCase fields
 * (`webhookId`, `url`, `attempt`, `status`, `errorKind`, ...). The interface is
 * deliberately the common ground of popular loggers: `console`, an `@std/log`
 * `Logger`, a LogTape `Logger` and a winston logger can all be passed as they
 * are, so the host application keeps control of the output format.
 *
 * @example Passing `console`, or a logger of your own
 * ```ts
 * import { type Logger, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const records: { message: string; fields: Record<string, unknown> }[] = [];
 * const capture: Logger = {
 *   debug: (message, fields) => records.push({ message, fields }),
 *   info: (message, fields) => records.push({ message, fields }),
 *   warn: (message, fields) => records.push({ message, fields }),
 *   error: (message, fields) => records.push({ message, fields }),
 * };
 *
 * new WebhookDeliveryService({ logger: console });
 * new WebhookDeliveryService({ logger: capture });
 * ```
 */
export interface Logger {
  /** Records detail that is useful only when investigating a problem. */
  debug(message: string, fields: Record<string, unknown>): void;
  /** Records a delivery that succeeded. */
  info(message: string, fields: Record<string, unknown>): void;
  /** Records a failed attempt that will be retried. */
  warn(message: string, fields: Record<string, unknown>): void;
  /** Records a delivery that ended without success. */
  error(message: string, fields: Record<string, unknown>): void;
}

function discard(): void {}

/**
 * A {@linkcode Logger} that drops every record.
 *
 * @example Silencing a service
 * ```ts
 * import { silentLogger, WebhookDeliveryService } from "@omoi/webhook-delivery";
 *
 * const service = new WebhookDeliveryService({ logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = Object.freeze({
  debug: discard,
  info: discard,
  warn: discard,
  error: discard,
});
