/**
 * `webhook-delivery listen`: a local receiver that prints each request,
 * verifies Standard Webhooks signatures and answers with scripted statuses.
 *
 * @module
 */
import { WebhookVerifier } from "../verify/webhook_verifier.ts";
import { isWebhookVerificationError } from "../verify/webhook_verification_error.ts";
import {
  EXIT,
  flag,
  parseCommand,
  parseDuration,
  parseInteger,
  stringOption,
  UsageError,
} from "./_args.ts";
import type { CliIo } from "./_io.ts";
import {
  type NodeBuiltins,
  nodeHttp,
  type NodeIncomingMessage,
  type NodeServerResponse,
} from "./_node.ts";
import {
  formatRequest,
  type ReceivedRequest,
  requestRecord,
} from "./_print_request.ts";

/** The port `listen` uses without `--port`. */
export const DEFAULT_LISTEN_PORT = 8788;

/** `listen --help`. */
export const LISTEN_HELP = `Usage: webhook-delivery listen [options]

Receives webhooks on http://127.0.0.1:<port>/ (any path), prints each request
(method, path, headers, the JSON body pretty-printed) and answers it.

Options:
  --port <n>            the port (default ${DEFAULT_LISTEN_PORT}); 0 picks a free one
  --secret <whsec_…>    verify the Standard Webhooks signature of each request
                        and say why one fails (default: the WEBHOOK_SECRET
                        environment variable, if set)
  --respond <statuses>  answer with these statuses in turn, the last one
                        repeating: --respond 503,503,204 (default 204)
  --delay <duration>    wait this long before answering (default 0): 2s
  --json                print one JSON record per request
  -h, --help            show this help

Once listening it prints "Listening on http://127.0.0.1:<port>/" on stderr.
Stop it with Ctrl-C (SIGINT) or SIGTERM.

Exit codes: 0 stopped by a signal, 1 cannot listen (port in use), 2 usage
error.
`;

/** Runs `listen` until SIGINT or SIGTERM. */
export async function listenCommand(
  args: readonly string[],
  io: CliIo,
  builtins: NodeBuiltins,
): Promise<number> {
  const parsed = parseCommand(builtins.util, args, {
    port: { type: "string" },
    secret: { type: "string" },
    respond: { type: "string" },
    delay: { type: "string" },
    json: { type: "boolean" },
  });
  if (flag(parsed, "help")) {
    io.out(LISTEN_HELP);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(
      `listen takes no arguments: unexpected ${
        JSON.stringify(parsed.positionals[0])
      }`,
    );
  }
  const port = parseInteger(
    stringOption(parsed, "port") ?? `${DEFAULT_LISTEN_PORT}`,
    "--port",
    0,
    65_535,
  );
  const statuses = parseStatuses(stringOption(parsed, "respond") ?? "204");
  const delayMs = parseDuration(
    stringOption(parsed, "delay") ?? "0",
    "--delay",
  );
  const secret = stringOption(parsed, "secret") ??
    (builtins.process.env.WEBHOOK_SECRET || undefined);
  let verifier: WebhookVerifier | undefined;
  if (secret !== undefined) {
    try {
      verifier = new WebhookVerifier(secret);
    } catch (error) {
      throw new UsageError(
        `--secret: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const json = flag(parsed, "json");

  const http = await nodeHttp();
  let count = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const handle = async (
    incoming: NodeIncomingMessage,
    response: NodeServerResponse,
  ): Promise<void> => {
    const number = ++count;
    const time = new Date().toISOString();
    const chunks: Uint8Array[] = [];
    for await (const chunk of incoming) chunks.push(chunk);
    const bytes = concat(chunks);
    const text = new TextDecoder().decode(bytes);
    let body: unknown = text;
    let bodyIsJson = false;
    try {
      body = JSON.parse(text);
      bodyIsJson = true;
    } catch {
      // Shown as text.
    }
    let signature: ReceivedRequest["signature"];
    if (verifier) {
      try {
        await verifier.verify(bytes, incoming.headers);
        signature = { verified: true };
      } catch (error) {
        signature = isWebhookVerificationError(error)
          ? { verified: false, reason: error.reason, message: error.message }
          : {
            verified: false,
            reason: "error",
            message: error instanceof Error ? error.message : String(error),
          };
      }
    }
    const status = statuses[Math.min(number, statuses.length) - 1]!;
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
      headers.push([
        incoming.rawHeaders[i]!.toLowerCase(),
        incoming.rawHeaders[i + 1]!,
      ]);
    }
    const request: ReceivedRequest = {
      number,
      time,
      method: incoming.method ?? "",
      path: incoming.url ?? "",
      headers,
      body,
      bodyIsJson,
      ...(signature ? { signature } : {}),
      status,
    };
    io.out(json ? requestRecord(request) : formatRequest(request));
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
      });
    }
    response.statusCode = status;
    if (status === 204 || status === 304) {
      response.end();
    } else {
      response.setHeader("content-type", "text/plain; charset=utf-8");
      response.end(`webhook-delivery listen: ${status}\n`);
    }
  };
  const server = http.createServer((incoming, response) => {
    handle(incoming, response).catch((error) => {
      io.err(
        `webhook-delivery listen: ${
          error instanceof Error ? error.message : String(error)
        }\n`,
      );
      response.statusCode = 500;
      response.end();
    });
  });

  const listening = await new Promise<number | Error>((resolve) => {
    server.on("error", (error) => resolve(error));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
  if (listening instanceof Error) {
    io.err(
      `webhook-delivery listen: cannot listen on 127.0.0.1:${port}: ${listening.message}\n`,
    );
    return EXIT.failed;
  }
  io.err(
    `Listening on http://127.0.0.1:${listening}/${
      verifier ? " (verifying signatures)" : ""
    }; Ctrl-C to stop\n`,
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      builtins.process.off("SIGINT", stop);
      builtins.process.off("SIGTERM", stop);
      for (const timer of timers) clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections?.();
    };
    builtins.process.on("SIGINT", stop);
    builtins.process.on("SIGTERM", stop);
  });
  io.err(`Stopped after ${count} request${count === 1 ? "" : "s"}\n`);
  return EXIT.ok;
}

function parseStatuses(text: string): number[] {
  const statuses = text.split(",").map((part) =>
    parseInteger(part, "--respond", 200, 599)
  );
  if (statuses.length === 0) {
    throw new UsageError("--respond needs at least one status");
  }
  return statuses;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(
    chunks.reduce((sum, chunk) => sum + chunk.length, 0),
  );
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
