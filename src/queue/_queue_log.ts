import { ignoreRejection } from "../send/_endings.ts";
import type { Logger, LogLevel } from "../log/logger.ts";

/** Logs a record of the queue's own (a store error, an endpoint paused), never throwing. */
export function logQueue(
  logger: Logger,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): void {
  try {
    ignoreRejection(logger[level](message, fields));
  } catch {
    // A logger that throws must not stop the worker.
  }
}
