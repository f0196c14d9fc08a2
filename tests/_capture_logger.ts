import type { Logger, LogLevel } from "../mod.ts";

/** One record as the service logged it. */
export interface CapturedRecord {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps records in an array, for tests to read. */
export interface CaptureLogger extends Logger {
  readonly records: readonly CapturedRecord[];
  /** Resolves once `count` records have been logged. */
  waitForRecords(count: number): Promise<void>;
}

export function captureLogger(): CaptureLogger {
  const records: CapturedRecord[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const record =
    (level: LogLevel) => (message: string, fields: Record<string, unknown>) => {
      records.push({ level, message, fields: { ...fields } });
      for (const waiter of waiters.filter((w) => records.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    };
  return {
    records,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    waitForRecords(count) {
      if (records.length >= count) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ count, resolve });
      return promise;
    },
  };
}
