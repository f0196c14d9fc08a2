/**
 * `webhook-delivery queue serve`: the dashboard of `./dashboard` on
 * `node:http`, over the queue the other `queue` commands open.
 *
 * @module
 */
import { createDashboard } from "../dashboard/mod.ts";
import { serveDashboard } from "../dashboard/serve.ts";
import {
  EXIT,
  flag,
  type ParsedArgs,
  parseInteger,
  stringOption,
  UsageError,
} from "./_args.ts";
import type { CliIo } from "./_io.ts";
import type { ParseArgsOption } from "./_node.ts";
import type { OpenedQueue } from "./_open_store.ts";
import { printable } from "./_printable.ts";

/** The port `queue serve` listens on unless `--port` says otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8787;

/** Where `queue serve` reads its token when `--token` is not given. */
export const TOKEN_VARIABLE = "WEBHOOK_DASHBOARD_TOKEN";

/** `queue serve`'s own options. */
export const SERVE_OPTIONS: Record<string, ParseArgsOption> = {
  port: { type: "string" },
  host: { type: "string" },
  token: { type: "string" },
  "base-path": { type: "string" },
  "secure-cookie": { type: "boolean" },
};

/** `queue serve --help`, without the store options the caller appends. */
export const SERVE_HELP =
  `Usage: webhook-delivery queue serve [options] (--sqlite <file> | --postgres <url>)

Serves the dashboard: counts by status and endpoint, pending and dead
messages, each message with its attempts, endpoint states, and replay,
disable and enable actions. It does not deliver: the application's running
queue sends what is replayed.

Options:
  --port <n>            the port (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)
  --host <address>      the address to listen on (default 127.0.0.1)
  --token <token>       the login token, at least 16 characters; better in
                        the ${TOKEN_VARIABLE} environment variable, out of
                        the process list. Without either, a random one is
                        made and printed once on standard error.
  --base-path <path>    serve under a path, such as /ops/webhooks
  --secure-cookie       mark the login cookie Secure, behind a proxy that
                        ends TLS (this server itself speaks plain HTTP)

Stop it with Ctrl-C (SIGINT) or SIGTERM.`;

type Run = (opened: OpenedQueue, io: CliIo, json: boolean) => Promise<number>;

/** Checks `queue serve`'s arguments and returns what serves the dashboard. */
export function prepareServe(parsed: ParsedArgs): Run {
  const port = parseInteger(
    stringOption(parsed, "port") ?? String(DEFAULT_DASHBOARD_PORT),
    "--port",
    0,
    65_535,
  );
  const hostname = stringOption(parsed, "host") ?? "127.0.0.1";
  const basePath = stringOption(parsed, "base-path");
  const secureCookie = flag(parsed, "secure-cookie");
  const given = stringOption(parsed, "token");
  if (given !== undefined && given.length < 16) {
    throw new UsageError("--token must be at least 16 characters");
  }
  return async ({ queue }, io) => {
    const fromEnv = io.process.env[TOKEN_VARIABLE];
    const token = given ?? (fromEnv || undefined) ?? randomToken();
    let handler;
    try {
      handler = createDashboard(queue, {
        token,
        ...(basePath === undefined ? {} : { basePath }),
        ...(secureCookie ? { secureCookie } : {}),
        // What a page could not show goes to standard error as one line,
        // made safe for the terminal (no stack, no control characters).
        onError: (error) =>
          io.err(
            `webhook-delivery queue serve: ${
              printable(error instanceof Error ? error.message : String(error))
            }\n`,
          ),
      });
    } catch (error) {
      // The dashboard checks the token's length and the base path.
      throw new UsageError(
        error instanceof Error ? error.message : String(error),
      );
    }
    const stop = new AbortController();
    let server;
    try {
      server = await serveDashboard(handler, {
        hostname,
        port,
        signal: stop.signal,
      });
    } catch (error) {
      io.err(
        `webhook-delivery queue serve: cannot listen on ${hostname}:${port}: ${
          error instanceof Error ? error.message : String(error)
        }\n`,
      );
      return EXIT.failed;
    }
    const url = new URL(basePath ?? "/", server.url).href;
    if (given === undefined && !fromEnv) {
      io.err(`Log in with this token (made for this run): ${token}\n`);
    }
    io.err(`Dashboard on ${url}; Ctrl-C to stop\n`);
    const onSignal = (): void => stop.abort();
    io.process.on("SIGINT", onSignal);
    io.process.on("SIGTERM", onSignal);
    try {
      await server.finished;
    } finally {
      io.process.off("SIGINT", onSignal);
      io.process.off("SIGTERM", onSignal);
    }
    io.err("Stopped\n");
    return EXIT.ok;
  };
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}
