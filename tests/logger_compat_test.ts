import assert from "node:assert/strict";
import {
  configure,
  getLogger,
  type Logger as LogTapeLogger,
  type LogRecord,
  reset,
} from "@logtape/logtape";
import type { Logger as WinstonLogger } from "winston";
import { type Logger, WebhookDeliveryService } from "../mod.ts";
import { startStubServer } from "./_stub_server.ts";

// deno-lint-ignore no-explicit-any
type GenericFunction = (...args: any[]) => any;

/**
 * The method signatures of `Logger` from `@std/log` 0.224, its last release
 * (JSR is out of reach here, and std has since removed the package).
 */
declare class StdLogLogger {
  debug<T>(msg: () => T, ...args: unknown[]): T | undefined;
  debug<T>(msg: T extends GenericFunction ? never : T, ...args: unknown[]): T;
  info<T>(msg: () => T, ...args: unknown[]): T | undefined;
  info<T>(msg: T extends GenericFunction ? never : T, ...args: unknown[]): T;
  warn<T>(msg: () => T, ...args: unknown[]): T | undefined;
  warn<T>(msg: T extends GenericFunction ? never : T, ...args: unknown[]): T;
  error<T>(msg: () => T, ...args: unknown[]): T | undefined;
  error<T>(msg: T extends GenericFunction ? never : T, ...args: unknown[]): T;
  critical<T>(msg: () => T, ...args: unknown[]): T | undefined;
  critical<T>(
    msg: T extends GenericFunction ? never : T,
    ...args: unknown[]
  ): T;
}

/** Compiles only when `T` can be passed where a `Logger` is expected. */
function acceptsAsLogger<T extends Logger>(_logger?: T): true {
  return true;
}

Deno.test("console, @std/log, LogTape and winston loggers fit the Logger interface", () => {
  assert.ok(acceptsAsLogger<Console>(console));
  assert.ok(acceptsAsLogger<StdLogLogger>());
  assert.ok(acceptsAsLogger<LogTapeLogger>());
  assert.ok(acceptsAsLogger<WinstonLogger>());
  // @ts-expect-error: a logger without warn and error does not fit.
  assert.ok(acceptsAsLogger<{ debug(): void; info(): void }>());
});

Deno.test("a LogTape logger receives each attempt as a structured record", async () => {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  const records: LogRecord[] = [];
  await configure({
    sinks: { capture: (record) => records.push(record) },
    loggers: [
      { category: ["app"], sinks: ["capture"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const service = new WebhookDeliveryService({
      retryDelaysMs: [0],
      logger: getLogger(["app", "webhooks"]),
    });

    await service.deliver(server.url, {}, { id: "evt_logtape" });
  } finally {
    await reset();
  }

  assert.deepEqual(
    records.map((r) => [r.level, r.properties.webhookId, r.properties.status]),
    [["warning", "evt_logtape", 503], ["info", "evt_logtape", 200]],
  );
  assert.deepEqual(records[0]?.category, ["app", "webhooks"]);
});

/** Runs tests/_logger_child.ts for `library` against a 503, then a 200. */
async function recordsThrough(library: "pino" | "winston"): Promise<unknown[]> {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-sys=hostname",
      "tests/_logger_child.ts",
      library,
      server.url,
    ],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0, `${library}: the delivery failed`);
  return new TextDecoder().decode(stdout).trim().split("\n").map((line) =>
    JSON.parse(line)
  );
}

Deno.test("a winston logger passed as it is receives each attempt with its fields", async () => {
  assert.deepEqual(await recordsThrough("winston"), [
    ["warn", "Webhook attempt failed, will retry", "evt_winston", 503],
    ["info", "Webhook delivered", "evt_winston", 200],
  ]);
});

Deno.test("pino, through the four-line adapter of docs/logging.md, receives each attempt with its fields", async () => {
  // pino's numeric levels: 40 is warn, 30 is info.
  assert.deepEqual(await recordsThrough("pino"), [
    [40, "Webhook attempt failed, will retry", "evt_pino", 503],
    [30, "Webhook delivered", "evt_pino", 200],
  ]);
});
