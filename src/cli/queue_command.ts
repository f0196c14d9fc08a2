/**
 * `webhook-delivery queue …`: inspect and repair a durable queue in a SQLite
 * file or a PostgreSQL database, without delivering anything itself (a
 * replayed message is sent by the application's running queue).
 *
 * @module
 */
import type { MessageRecord, MessageStatus } from "../queue/store.ts";
import {
  EXIT,
  flag,
  formatDuration,
  parseCommand,
  type ParsedArgs,
  parseDuration,
  parseInteger,
  stringOption,
  UsageError,
} from "./_args.ts";
import type { CliIo } from "./_io.ts";
import type { NodeBuiltins, ParseArgsOption } from "./_node.ts";
import {
  type OpenedQueue,
  openQueue,
  type StoreLocation,
} from "./_open_store.ts";
import { formatFields, formatTable } from "./_print_table.ts";
import { prepareServe, SERVE_HELP, SERVE_OPTIONS } from "./_serve_command.ts";

const STORE_OPTIONS = `Store (one of):
  --sqlite <file>       a SQLite file written by SqliteStore
  --postgres <url>      a PostgreSQL database written by PostgresStore
                        (needs the pg package); --schema <name> if not the
                        default webhook_delivery
Output:
  --json                JSON for scripts instead of a table
  -h, --help            show this help

Exit codes: 0 done, 1 not found or failed, 2 usage error.`;

/** `queue --help`. */
export const QUEUE_HELP = `Usage: webhook-delivery queue <command> [options]

Commands:
  stats                          counts by status, in flight, disabled endpoints
  list [--status] [--endpoint] [--limit] [--cursor]
                                 messages, oldest first, a page at a time
  show <id>                      one message with its attempts
  replay <id>                    send a dead or delivered message again
  replay --dead [--endpoint <e>] [--since <ISO time or duration>]
                                 send dead messages again
  enable <endpoint>              let a disabled endpoint receive again
  disable <endpoint> --reason <text>
                                 stop delivering to an endpoint
  serve [--port] [--host] [--token] [--base-path]
                                 the dashboard, on 127.0.0.1:8787 by default

${STORE_OPTIONS}

A replayed message is delivered by the application's running queue (a process
that called queue.start() on the same store), not by this command. URLs are
shown redacted, as the queue stores them for display; header values and
payloads are never shown.
`;

const HELPS: Record<string, string> = {
  stats:
    `Usage: webhook-delivery queue stats (--sqlite <file> | --postgres <url>)

Counts messages by status (pending, delivered, dead), those in flight, and
lists disabled endpoints with their reason.

${STORE_OPTIONS}
`,
  list:
    `Usage: webhook-delivery queue list [options] (--sqlite <file> | --postgres <url>)

Lists messages, oldest first.

Options:
  --status <status>     pending, delivered or dead
  --endpoint <key>      only this endpoint (its origin and path by default)
  --limit <n>           messages per page, 1 to 1000 (default 20)
  --cursor <cursor>     the next page, as printed after the previous one

${STORE_OPTIONS}
`,
  show:
    `Usage: webhook-delivery queue show <id> (--sqlite <file> | --postgres <url>)

Shows one message: status, URL (redacted), endpoint, times, the reason it is
dead, and each attempt (time, status or error, duration, next attempt).

${STORE_OPTIONS}
`,
  replay:
    `Usage: webhook-delivery queue replay <id> (--sqlite <file> | --postgres <url>)
       webhook-delivery queue replay --dead [--endpoint <key>] [--since <when>] (…)

Makes a dead or delivered message pending again, its schedule restarted; with
--dead, every dead message (of one endpoint, and created since a time: an ISO
8601 time such as 2026-12-01T00:00:00Z, or a duration back from now such as
2h or 7d). The application's running queue then delivers them.
Exit code 1 when <id> is unknown or pending.

${STORE_OPTIONS}
`,
  enable:
    `Usage: webhook-delivery queue enable <endpoint> (--sqlite <file> | --postgres <url>)

Lets a disabled endpoint receive again. Its dead messages stay dead until
replayed: queue replay --dead --endpoint <endpoint>.
Exit code 1 when the endpoint was not disabled.

${STORE_OPTIONS}
`,
  serve: `${SERVE_HELP}

${STORE_OPTIONS}
`,
  disable: `Usage: webhook-delivery queue disable <endpoint> --reason <text> (…)

Disables an endpoint: its pending messages become dead, and new ones are
stored dead, until queue enable.

${STORE_OPTIONS}
`,
};

const COMMON: Record<string, ParseArgsOption> = {
  sqlite: { type: "string" },
  postgres: { type: "string" },
  schema: { type: "string" },
  json: { type: "boolean" },
};

const EXTRA: Record<string, Record<string, ParseArgsOption>> = {
  stats: {},
  list: {
    status: { type: "string" },
    endpoint: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  show: {},
  replay: {
    dead: { type: "boolean" },
    endpoint: { type: "string" },
    since: { type: "string" },
  },
  enable: {},
  disable: { reason: { type: "string" } },
  serve: SERVE_OPTIONS,
};

const STATUSES: readonly MessageStatus[] = ["pending", "delivered", "dead"];

/** Runs `queue <command>` with the arguments after `queue`. */
export async function queueCommand(
  args: readonly string[],
  io: CliIo,
  builtins: NodeBuiltins,
): Promise<number> {
  const [command, ...rest] = args;
  if (
    command === undefined || command === "--help" || command === "-h" ||
    command === "help"
  ) {
    (command === undefined ? io.err : io.out)(QUEUE_HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const extra = EXTRA[command];
  if (!extra) {
    throw new UsageError(`unknown queue command ${JSON.stringify(command)}`);
  }
  const parsed = parseCommand(builtins.util, rest, { ...COMMON, ...extra });
  if (flag(parsed, "help")) {
    io.out(HELPS[command]!);
    return EXIT.ok;
  }
  const run = prepare(command, parsed);
  const location = storeLocation(parsed);
  const opened = await openQueue(location, builtins.fs);
  try {
    return await run(opened, io, flag(parsed, "json"));
  } catch (error) {
    if (
      location.kind === "postgres" && error instanceof Error &&
      /relation .* does not exist/.test(error.message)
    ) {
      throw new Error(
        `${error.message}: no queue in schema ${
          location.schema ?? "webhook_delivery"
        } (was PostgresStore.migrate() run, with this --schema?)`,
      );
    }
    throw error;
  } finally {
    await opened.close();
  }
}

type Run = (opened: OpenedQueue, io: CliIo, json: boolean) => Promise<number>;

function storeLocation(parsed: ParsedArgs): StoreLocation {
  const sqlite = stringOption(parsed, "sqlite");
  const postgres = stringOption(parsed, "postgres");
  const schema = stringOption(parsed, "schema");
  if ((sqlite === undefined) === (postgres === undefined)) {
    throw new UsageError(
      "give the queue's store with --sqlite <file> or --postgres <url> (one of them)",
    );
  }
  if (schema !== undefined) {
    if (postgres === undefined) {
      throw new UsageError("--schema goes with --postgres");
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,59}$/.test(schema)) {
      throw new UsageError(
        `--schema must be letters, digits and '_', at most 60 characters: got ${
          JSON.stringify(schema)
        }`,
      );
    }
  }
  return sqlite !== undefined
    ? { kind: "sqlite", path: sqlite }
    : { kind: "postgres", url: postgres!, schema };
}

function positionals(
  parsed: ParsedArgs,
  command: string,
  names: readonly string[],
): string[] {
  const given = parsed.positionals;
  if (given.length < names.length) {
    throw new UsageError(
      `queue ${command} needs ${names.map((name) => `<${name}>`).join(" ")}`,
    );
  }
  if (given.length > names.length) {
    throw new UsageError(
      `queue ${command}: unexpected argument ${
        JSON.stringify(given[names.length])
      }`,
    );
  }
  return given;
}

function write(io: CliIo, json: boolean, value: unknown, text: string): void {
  io.out(json ? `${JSON.stringify(value, null, 2)}\n` : text);
}

/** Checks the command's arguments before any store is opened. */
function prepare(command: string, parsed: ParsedArgs): Run {
  switch (command) {
    case "stats":
      positionals(parsed, command, []);
      return async ({ queue }, io, json) => {
        const stats = await queue.stats();
        const disabled = stats.disabledEndpoints.length === 0
          ? "none\n"
          : `\n${
            formatTable(
              ["ENDPOINT", "REASON"],
              stats.disabledEndpoints.map((d) => [d.endpoint, d.reason]),
            )
          }`;
        write(
          io,
          json,
          stats,
          formatFields([
            ["pending", String(stats.pending)],
            ["in flight", String(stats.inFlight)],
            ["delivered", String(stats.delivered)],
            ["dead", String(stats.dead)],
          ]) + `disabled endpoints: ${disabled}`,
        );
        return EXIT.ok;
      };
    case "list": {
      positionals(parsed, command, []);
      const status = stringOption(parsed, "status");
      if (status !== undefined && !STATUSES.includes(status as MessageStatus)) {
        throw new UsageError(
          `--status must be one of ${STATUSES.join(", ")}: got ${
            JSON.stringify(status)
          }`,
        );
      }
      const limitText = stringOption(parsed, "limit");
      const limit = parseInteger(limitText ?? "20", "--limit", 1, 1000);
      const endpoint = stringOption(parsed, "endpoint");
      const cursor = stringOption(parsed, "cursor");
      return async ({ queue }, io, json) => {
        const page = await queue.list({
          limit,
          ...(status === undefined ? {} : { status: status as MessageStatus }),
          ...(endpoint === undefined ? {} : { endpoint }),
          ...(cursor === undefined ? {} : { cursor }),
        });
        const table = page.messages.length === 0
          ? "no messages\n"
          : formatTable(
            ["ID", "STATUS", "ATTEMPTS", "UPDATED", "URL"],
            page.messages.map((
              m,
            ) => [
              m.id,
              statusCell(m),
              String(m.attempts.length),
              m.updatedAt,
              m.url,
            ]),
          );
        write(
          io,
          json,
          page,
          table + (page.cursor ? `next page: --cursor ${page.cursor}\n` : ""),
        );
        return EXIT.ok;
      };
    }
    case "show": {
      const [id] = positionals(parsed, command, ["id"]);
      return async ({ queue }, io, json) => {
        const message = await queue.get(id!);
        if (!message) {
          io.err(
            `webhook-delivery: no message ${
              JSON.stringify(id)
            } in this queue\n`,
          );
          return EXIT.failed;
        }
        // The payload is not shown, in JSON either: it may hold what the
        // operator running this must not see (the dashboard can show it).
        const { body: _payload, ...shown } = message;
        write(io, json, shown, formatMessage(message));
        return EXIT.ok;
      };
    }
    case "replay": {
      const dead = flag(parsed, "dead");
      const endpoint = stringOption(parsed, "endpoint");
      const sinceText = stringOption(parsed, "since");
      if (!dead) {
        if (endpoint !== undefined || sinceText !== undefined) {
          throw new UsageError(
            "--endpoint and --since go with queue replay --dead",
          );
        }
        const [id] = positionals(parsed, command, ["id"]);
        return async ({ queue }, io, json) => {
          const replayed = await queue.replay(id!);
          if (!replayed) {
            io.err(
              `webhook-delivery: no dead or delivered message ${
                JSON.stringify(id)
              } to replay\n`,
            );
          }
          write(
            io,
            json,
            { id, replayed },
            replayed ? `replayed ${id}: pending again\n` : "",
          );
          return replayed ? EXIT.ok : EXIT.failed;
        };
      }
      if (parsed.positionals.length > 0) {
        throw new UsageError("queue replay takes an <id> or --dead, not both");
      }
      const since = sinceText === undefined ? undefined : parseSince(sinceText);
      return async ({ queue }, io, json) => {
        const count = await queue.replayDead({
          ...(endpoint === undefined ? {} : { endpoint }),
          ...(since === undefined ? {} : { since }),
        });
        write(
          io,
          json,
          { replayed: count },
          `replayed ${count} dead message${count === 1 ? "" : "s"}\n`,
        );
        return EXIT.ok;
      };
    }
    case "serve":
      positionals(parsed, command, []);
      return prepareServe(parsed);
    case "enable": {
      const [endpoint] = positionals(parsed, command, ["endpoint"]);
      return async ({ queue }, io, json) => {
        const enabled = await queue.enableEndpoint(endpoint!);
        if (!enabled) {
          io.err(`webhook-delivery: endpoint ${endpoint} was not disabled\n`);
        }
        write(
          io,
          json,
          { endpoint, enabled },
          enabled ? `enabled ${endpoint}\n` : "",
        );
        return enabled ? EXIT.ok : EXIT.failed;
      };
    }
    default: {
      const [endpoint] = positionals(parsed, command, ["endpoint"]);
      const reason = stringOption(parsed, "reason");
      if (reason === undefined || reason.trim() === "") {
        throw new UsageError("queue disable needs --reason <text>");
      }
      return async ({ queue }, io, json) => {
        const deadMessages = await queue.disableEndpoint(endpoint!, reason);
        write(
          io,
          json,
          { endpoint, disabled: true, deadMessages },
          `disabled ${endpoint}: ${deadMessages} pending message${
            deadMessages === 1 ? "" : "s"
          } now dead\n`,
        );
        return EXIT.ok;
      };
    }
  }
}

function parseSince(text: string): number {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text.trim())) {
    return Date.now() - parseDuration(text, "--since");
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(
      `--since must be an ISO 8601 time (2026-12-01T00:00:00Z) or a duration back from now (2h, 7d): got ${
        JSON.stringify(text)
      }`,
    );
  }
  return time;
}

function statusCell(message: MessageRecord): string {
  return message.inFlight ? `${message.status} (in flight)` : message.status;
}

function formatMessage(message: MessageRecord): string {
  const fields: [string, string][] = [
    ["id", message.id],
    ["status", statusCell(message)],
    ["url", message.url],
    ["endpoint", message.endpoint],
    ["created", message.createdAt],
    ["updated", message.updatedAt],
  ];
  if (message.nextAttemptAt) {
    fields.push(["next attempt", message.nextAttemptAt]);
  }
  if (message.deadReason) fields.push(["dead because", message.deadReason]);
  fields.push(["attempts", String(message.attempts.length)]);
  let text = formatFields(fields);
  if (message.attempts.length > 0) {
    text += `\n${
      formatTable(
        ["#", "STARTED", "RESULT", "DURATION", "RETRY IN"],
        message.attempts.map((a) => [
          String(a.number),
          a.startedAt,
          a.status !== undefined
            ? `HTTP ${a.status}${
              a.responseExcerpt === undefined
                ? ""
                : ` ${JSON.stringify(a.responseExcerpt.slice(0, 60))}`
            }`
            : a.error
            ? `${a.error.kind}: ${a.error.message}`
            : "",
          formatDuration(a.durationMs),
          a.retryInMs === undefined ? "" : formatDuration(a.retryInMs),
        ]),
      )
    }`;
  }
  return text;
}
