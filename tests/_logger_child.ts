/**
 * Delivers 503 then 200 to URL through pino (with the adapter of
 * docs/logging.md) or through a winston logger passed as it is, and prints
 * each record as `[level, message, webhookId, status]`, one JSON array a
 * line. Both read the environment or the host name when they load, which the
 * test task does not allow, so tests run this in a child process:
 * deno run --allow-net=127.0.0.1 --allow-env --allow-sys=hostname
 * tests/_logger_child.ts pino|winston URL
 *
 * @module
 */
import { Writable } from "node:stream";
import pino from "pino";
import winston from "winston";
import { type Logger, WebhookDeliveryService } from "../mod.ts";

const [library, url = ""] = Deno.args;
const print = (record: unknown[]) => console.log(JSON.stringify(record));

function pinoLogger(): Logger {
  const base = pino({ level: "debug" }, {
    write(line: string) {
      const record = JSON.parse(line);
      print([record.level, record.msg, record.webhookId, record.status]);
    },
  });
  return {
    debug: (message, fields) => base.debug(fields, message),
    info: (message, fields) => base.info(fields, message),
    warn: (message, fields) => base.warn(fields, message),
    error: (message, fields) => base.error(fields, message),
  };
}

function winstonLogger(): winston.Logger {
  return winston.createLogger({
    level: "debug",
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _encoding, callback) {
            const entry = JSON.parse(String(chunk));
            print([entry.level, entry.message, entry.webhookId, entry.status]);
            callback();
          },
        }),
      }),
    ],
  });
}

const logger = library === "pino" ? pinoLogger() : winstonLogger();
const service = new WebhookDeliveryService({ retryDelaysMs: [0], logger });
const ok = await service.deliver(url, {}, { id: `evt_${library}` });
Deno.exitCode = ok ? 0 : 1;
