/**
 * `webhook-delivery send <url>`: one delivery with the library's own sender,
 * its attempts shown as they happen.
 *
 * @module
 */
import { DEFAULT_TIMEOUT_MS } from "../send/options.ts";
import { WebhookDeliveryService } from "../send/webhook_delivery_service.ts";
import type { DeliveryResult } from "../send/delivery_result.ts";
import {
  EXIT,
  flag,
  formatDuration,
  parseCommand,
  parseDuration,
  parseInteger,
  stringOption,
  stringsOption,
  UsageError,
} from "./_args.ts";
import type { CliIo } from "./_io.ts";
import type { NodeBuiltins } from "./_node.ts";
import { attemptPrinter } from "./_print_attempt.ts";

/** `send --help`. */
export const SEND_HELP = `Usage: webhook-delivery send <url> [options]

POSTs a JSON payload to <url> with retries, as WebhookDeliveryService.send()
does, and shows each attempt as it happens.

Payload (one of):
  --data <json>         the payload as JSON text
  --file <path>         a file holding the JSON payload
  (standard input)      when neither is given and stdin is not a terminal

Options:
  --secret <whsec_…>    sign with the Standard Webhooks scheme (default: the
                        WEBHOOK_SECRET environment variable, if set)
  --header <name:value> add a header; repeatable
  --id <id>             the webhook-id (default: a new one)
  --timeout <duration>  per attempt (default ${
  formatDuration(DEFAULT_TIMEOUT_MS)
})
  --retries <n>         retries after the first attempt, 0 to 10 (default 3)
  --retry-delay <dur>   the first wait, doubled for each next one (default 1s)
  --json                print the DeliveryResult as JSON on stdout; attempts
                        go to stderr
  -h, --help            show this help

Durations: 500ms, 2s, 1m, 1h; a bare number is milliseconds.

Exit codes: 0 delivered, 1 not delivered, 2 usage error (or an invalid URL,
payload, header or secret).

The secret and header values are never printed.
`;

const INVALID_INPUT = new Set([
  "invalid_url",
  "invalid_payload",
  "invalid_id",
  "invalid_headers",
  "invalid_secret",
]);

/** Runs `send` with the arguments after the command name. */
export async function sendCommand(
  args: readonly string[],
  io: CliIo,
  builtins: NodeBuiltins,
): Promise<number> {
  const parsed = parseCommand(builtins.util, args, {
    data: { type: "string" },
    file: { type: "string" },
    secret: { type: "string" },
    header: { type: "string", multiple: true },
    id: { type: "string" },
    timeout: { type: "string" },
    retries: { type: "string" },
    "retry-delay": { type: "string" },
    json: { type: "boolean" },
  });
  if (flag(parsed, "help")) {
    io.out(SEND_HELP);
    return EXIT.ok;
  }
  const [url, ...extra] = parsed.positionals;
  if (url === undefined) throw new UsageError("send needs a <url>");
  if (extra.length > 0) {
    throw new UsageError(
      `send takes one <url>: unexpected ${JSON.stringify(extra[0])}`,
    );
  }
  const headers = stringsOption(parsed, "header").map(parseHeader);
  const timeoutMs = parseDuration(
    stringOption(parsed, "timeout") ?? `${DEFAULT_TIMEOUT_MS}`,
    "--timeout",
  );
  if (timeoutMs < 1) throw new UsageError("--timeout must be at least 1ms");
  const retries = parseInteger(
    stringOption(parsed, "retries") ?? "3",
    "--retries",
    0,
    10,
  );
  const firstDelay = parseDuration(
    stringOption(parsed, "retry-delay") ?? "1s",
    "--retry-delay",
  );
  const retryDelaysMs = Array.from(
    { length: retries },
    (_, i) => firstDelay * 2 ** i,
  );
  const secret = stringOption(parsed, "secret") ??
    (builtins.process.env.WEBHOOK_SECRET || undefined);
  const payload = await readPayload(parsed.values, io, builtins);
  const json = flag(parsed, "json");

  const progressToErr = json;
  const printer = attemptPrinter(
    progressToErr ? io.err : io.out,
    progressToErr ? io.errIsTty : io.outIsTty,
  );
  let result: DeliveryResult;
  try {
    const service = new WebhookDeliveryService({
      timeoutMs,
      retryDelaysMs,
      headers,
      logger: printer,
      ...(secret === undefined ? {} : { secret }),
    });
    const id = stringOption(parsed, "id");
    result = await service.send(url, payload, id === undefined ? {} : { id });
  } catch (error) {
    // The constructor refuses a malformed secret or header with a TypeError.
    throw new UsageError(
      error instanceof Error ? error.message : String(error),
    );
  } finally {
    printer.stop();
  }

  if (json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(`${summary(result)}\n`);
  if (result.ok) return EXIT.ok;
  if (
    result.outcome === "invalid" && INVALID_INPUT.has(result.error?.kind ?? "")
  ) {
    return EXIT.usage;
  }
  return EXIT.failed;
}

function summary(result: DeliveryResult): string {
  const attempts = `${result.attempts.length} attempt${
    result.attempts.length === 1 ? "" : "s"
  }`;
  if (result.ok) {
    return `delivered ${result.id} after ${attempts} in ${
      formatDuration(result.durationMs)
    }`;
  }
  return `not delivered (${result.outcome}) after ${attempts}${
    result.error ? `: ${result.error.message}` : ""
  }`;
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(":");
  const name = colon > 0 ? text.slice(0, colon).trim() : "";
  if (!name) {
    throw new UsageError(
      `--header must be name:value: got a value without a name before ':'`,
    );
  }
  return [name, text.slice(colon + 1).trim()];
}

async function readPayload(
  values: Record<string, unknown>,
  io: CliIo,
  builtins: NodeBuiltins,
): Promise<unknown> {
  const data = values.data;
  const file = values.file;
  if (typeof data === "string" && typeof file === "string") {
    throw new UsageError("give the payload with --data or --file, not both");
  }
  let text: string;
  let source: string;
  if (typeof data === "string") {
    text = data;
    source = "--data";
  } else if (typeof file === "string") {
    try {
      text = new TextDecoder().decode(await builtins.fs.readFile(file));
    } catch (error) {
      throw new UsageError(
        `--file cannot be read: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    source = "--file";
  } else if (io.process.stdin.isTTY) {
    throw new UsageError(
      "send needs a payload: --data '<json>', --file <path>, or standard input",
    );
  } else {
    const decoder = new TextDecoder();
    text = "";
    for await (const chunk of io.process.stdin) {
      text += typeof chunk === "string"
        ? chunk
        : decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
    source = "standard input";
    if (text.trim() === "") {
      throw new UsageError(
        "send needs a payload: standard input was empty (give --data '<json>' or --file <path>)",
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `the payload from ${source} is not JSON: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
