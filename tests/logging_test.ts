import assert from "node:assert/strict";
import {
  createJsonLogger,
  type Logger,
  silentLogger,
  WebhookDeliveryService,
} from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { ENDINGS } from "../src/send/_endings.ts";
import { startStubServer } from "./_stub_server.ts";

Deno.test("500, 500, 200 leaves exactly three records: warn, warn, info", async () => {
  await using server = startStubServer([
    { status: 500, body: "database is down" },
    { status: 500, body: "database is down" },
    { status: 200 },
  ]);
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [0, 5], logger });

  await service.send(server.url, { event_type: "task.completed" }, {
    id: "evt_7",
  });

  assert.deepEqual(logger.records.map((r) => r.level), [
    "warn",
    "warn",
    "info",
  ]);
  const [first, second, third] = logger.records.map((r) => r.fields);
  for (const [index, fields] of [first, second, third].entries()) {
    assert.equal(fields?.webhookId, "evt_7");
    assert.equal(fields?.url, server.url);
    assert.equal(fields?.attempt, index + 1);
    assert.equal(fields?.maxAttempts, 3);
    assert.equal(typeof fields?.durationMs, "number");
  }
  assert.deepEqual(
    { ...first, durationMs: 0 },
    {
      webhookId: "evt_7",
      url: server.url,
      attempt: 1,
      maxAttempts: 3,
      outcome: "retrying",
      durationMs: 0,
      status: 500,
      responseExcerpt: "database is down",
      retryInMs: 0,
    },
  );
  assert.equal(second?.retryInMs, 5);
  assert.deepEqual(
    { ...third, durationMs: 0 },
    {
      webhookId: "evt_7",
      url: server.url,
      attempt: 3,
      maxAttempts: 3,
      outcome: "delivered",
      durationMs: 0,
      status: 200,
    },
  );
});

Deno.test("a network failure is logged with errorKind and error, not status", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ retryDelaysMs: [], logger });

  await service.send("http://nowhere.invalid/hook", {});

  const [record] = logger.records;
  assert.equal(record?.level, "error");
  assert.equal(record?.fields.outcome, "exhausted");
  assert.equal(record?.fields.errorKind, "dns");
  assert.equal(typeof record?.fields.error, "string");
  assert.equal("status" in (record?.fields ?? {}), false);
});

Deno.test("the default logger writes one JSON object per line, info and above", async () => {
  await using server = startStubServer([{ status: 503 }, { status: 200 }]);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...data: unknown[]) => lines.push(data.join(" "));
  try {
    await new WebhookDeliveryService({ retryDelaysMs: [0] }).deliver(
      server.url,
      { event_type: "agent.stuck" },
    );
    // The service itself logs nothing below info: the default logger's
    // level is shown on it directly.
    createJsonLogger().debug("below the default level", {});
  } finally {
    console.log = log;
  }

  assert.equal(lines.length, 2);
  const records = lines.map((line) => JSON.parse(line));
  assert.deepEqual(Object.keys(records[0]).slice(0, 4), [
    "time",
    "level",
    "logger",
    "msg",
  ]);
  assert.deepEqual(records.map((r) => [r.level, r.logger, r.status]), [
    ["warn", "webhook-delivery", 503],
    ["info", "webhook-delivery", 200],
  ]);
  assert.ok(!Number.isNaN(Date.parse(records[0].time)));
});

Deno.test("the default logger writes error records to standard output too, never to standard error", async () => {
  await using server = startStubServer([{ status: 404 }]);
  const out: string[] = [];
  const err: unknown[] = [];
  const { log, error, warn } = console;
  console.log = (...data: unknown[]) => out.push(data.join(" "));
  console.error = (...data: unknown[]) => err.push(data);
  console.warn = (...data: unknown[]) => err.push(data);
  try {
    await new WebhookDeliveryService().deliver(server.url, {});
  } finally {
    Object.assign(console, { log, error, warn });
  }

  assert.deepEqual(err, []);
  assert.deepEqual(out.map((line) => JSON.parse(line).level), ["error"]);
});

Deno.test("createJsonLogger() drops records below its level", () => {
  const lines: string[] = [];
  const logger = createJsonLogger({
    level: "warn",
    write: (line) => lines.push(line),
  });

  logger.debug("d", {});
  logger.info("i", {});
  logger.warn("w", { attempt: 1 });
  logger.error("e", { attempt: 2 });

  assert.deepEqual(lines.map((line) => JSON.parse(line).msg), ["w", "e"]);
});

Deno.test("createJsonLogger() keeps its own keys and survives BigInt and Error fields", () => {
  const lines: string[] = [];
  const logger = createJsonLogger({
    level: "debug",
    write: (line) => lines.push(line),
  });

  logger.debug("hello", {
    level: "forged",
    msg: "forged",
    big: 10n,
    cause: new TypeError("boom"),
  });

  const record = JSON.parse(lines[0] ?? "");
  assert.equal(record.level, "debug");
  assert.equal(record.msg, "hello");
  assert.equal(record.big, "10");
  assert.deepEqual(record.cause, { name: "TypeError", message: "boom" });
});

for (
  const [name, fields, expected] of [
    ["a lone BigInt", { big: 10n }, { big: "10" }],
    ["an Error inside an object", { detail: { cause: new Error("boom") } }, {
      detail: { cause: { name: "Error", message: "boom" } },
    }],
    ["a BigInt inside an array", { ids: [1n, 2n] }, { ids: ["1", "2"] }],
    ["only plain values", { attempt: 1, ok: true, url: "u", none: null }, {
      attempt: 1,
      ok: true,
      url: "u",
      none: null,
    }],
  ] as const
) {
  Deno.test(`createJsonLogger() writes a record with ${name}`, () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line) });

    logger.info("hello", fields);

    const { time: _time, ...record } = JSON.parse(lines[0] ?? "");
    assert.deepEqual(record, {
      level: "info",
      logger: "webhook-delivery",
      msg: "hello",
      ...expected,
    });
  });
}

Deno.test("createJsonLogger() throws a RangeError for an unknown level", () => {
  assert.throws(
    // @ts-expect-error: testing a value outside the type
    () => createJsonLogger({ level: "verbose" }),
    /^RangeError: Cannot create JSON logger as 'level' must be one of debug, info, warn or error: current value is verbose$/,
  );
});

Deno.test("a logger that throws does not change the result of a delivery", async () => {
  await using server = startStubServer([{ status: 500 }, { status: 200 }]);
  const explode = () => {
    throw new Error("log sink is full");
  };
  const logger: Logger = {
    debug: explode,
    info: explode,
    warn: explode,
    error: explode,
  };
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send(server.url, {});

  assert.equal(result.outcome, "delivered");
  assert.equal(server.requests.length, 2);
});

Deno.test("a logger whose methods return rejected promises crashes nothing", async () => {
  await using server = startStubServer([{ status: 500 }, { status: 200 }]);
  const reject = () => Promise.reject(new Error("remote log sink is down"));
  // Assignable to Logger: a method returning a promise fits a void return.
  const logger: Logger = {
    debug: reject,
    info: reject,
    warn: reject,
    error: reject,
  };
  const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });

  const result = await service.send(server.url, {});

  // Deno fails this test if a rejection goes unhandled.
  assert.equal(result.outcome, "delivered");
  assert.equal(server.requests.length, 2);
});

Deno.test("silentLogger accepts records and writes nothing", async () => {
  await using server = startStubServer([{ status: 200 }]);
  const log = console.log;
  let written = 0;
  console.log = () => written++;
  try {
    await new WebhookDeliveryService({ logger: silentLogger }).deliver(
      server.url,
      {},
    );
  } finally {
    console.log = log;
  }
  assert.equal(written, 0);
});

Deno.test("the JSDoc of Logger lists every message with its level and outcome, as the sender logs them", async () => {
  const doc = await Deno.readTextFile(
    new URL("../src/log/logger.ts", import.meta.url),
  );
  const rows = [
    ...doc.matchAll(/^ \* \| `([^`]+)` +\| `(\w+)` +\| `(\w+)` +\|$/gm),
  ]
    .map(([, message, level, outcome]) => [message, level, outcome]);

  assert.deepEqual(
    rows.sort(),
    Object.values(ENDINGS).map((e) => [e.message, e.level, e.outcome]).sort(),
  );
});
