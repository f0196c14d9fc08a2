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
 * Each method receives a short human message and a record of camelCase
 * fields. The interface is deliberately the common ground of popular loggers:
 * `console`, an `@std/log` `Logger`, a LogTape `Logger` and a winston logger
 * can all be passed as they are, so the host application keeps control of the
 * output format. A logger that throws or returns a rejected promise cannot
 * break a delivery.
 *
 * **Records.** Every attempt leaves exactly one record: `info` when it
 * delivered, `warn` when it will be retried, `error` when the delivery ends
 * without success. A delivery that ends before any attempt or between
 * attempts (invalid input, a blocked destination, an abort) leaves one
 * `error` record. Nothing is logged at `debug`. One message per way a record
 * can end:
 *
 * | message                                            | level   | `outcome`   |
 * | -------------------------------------------------- | ------- | ----------- |
 * | `Webhook delivered`                                | `info`  | `delivered` |
 * | `Webhook attempt failed, will retry`               | `warn`  | `retrying`  |
 * | `Webhook rejected by receiver`                     | `error` | `rejected`  |
 * | `Webhook redirect not followed`                    | `error` | `rejected`  |
 * | `Webhook delivery failed after all attempts`       | `error` | `exhausted` |
 * | `Webhook delivery is invalid`                      | `error` | `invalid`   |
 * | `Webhook destination is blocked`                   | `error` | `invalid`   |
 * | `Webhook delivery is not permitted by the runtime` | `error` | `invalid`   |
 * | `Webhook delivery aborted`                         | `error` | `aborted`   |
 *
 * **Fields**, always in this order, each only when it applies:
 *
 * - `webhookId`: the delivery id, the same on every attempt.
 * - `url`: the URL, redacted (below).
 * - `attempt`: on an attempt's record, its number (1, 2, …); on an abort
 *   before or between attempts, or an `invalid_secret` record, the attempts
 *   made so far (0 when none); absent when the input is invalid or the
 *   destination is blocked.
 * - `maxAttempts`: whenever `attempt` is there.
 * - `outcome`: as in the table.
 * - `durationMs`: on an attempt's record, how long the attempt took.
 * - `status`: when a complete response arrived.
 * - `errorKind` and `error`: a {@linkcode DeliveryErrorKind} and its message,
 *   when no response arrived or the delivery is invalid.
 * - `responseExcerpt`: the first 500 characters of a failed response's body.
 * - `location`: the redacted `Location` header of a failed response (a 3xx
 *   above all), so a wrong URL can be fixed.
 * - `retryInMs`: on `warn` records, the wait before the next attempt.
 *
 * **Redaction**, the same in log records and in results: every URL, in `url`
 * and `location` and inside error messages, loses its user name and
 * password and its fragment, and every query value becomes `REDACTED`
 * (`https://hooks.example/in?token=REDACTED`); the path is kept. A URL that
 * does not parse loses everything before its last `@` (but its scheme) and
 * its fragment, has its query values redacted, and is cut to 200
 * characters. Never logged: secrets, signatures, header values (custom
 * headers, and the `authorization` made from URL credentials) and the
 * payload.
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
