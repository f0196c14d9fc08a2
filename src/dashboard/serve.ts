/**
 * Serves a fetch-style handler, such as the dashboard's, on `node:http`, so
 * the same code runs on Node.js, Deno and Bun. `node:http` is imported when
 * `serveDashboard` is called, so the rest of the dashboard needs nothing but
 * Web APIs.
 *
 * @example Serving the dashboard on 127.0.0.1 until a signal
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import { createDashboard, serveDashboard } from "@omoi/webhook-delivery/dashboard";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const stop = new AbortController();
 * const server = await serveDashboard(
 *   createDashboard(queue, { token: "0123456789abcdef-token" }),
 *   { port: 0, signal: stop.signal },
 * );
 * console.log(server.url); // http://127.0.0.1:PORT/
 * stop.abort();
 * await server.finished;
 * ```
 *
 * @module
 */
/** The parts of `node:http`'s `IncomingMessage` used here. */
interface IncomingMessage {
  method?: string | undefined;
  url?: string | undefined;
  rawHeaders: string[];
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  once(event: "end" | "close", listener: () => void): unknown;
  once(event: "error", listener: (error: unknown) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The parts of `node:http`'s `ServerResponse` used here. */
interface ServerResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  writeHead(
    status: number,
    headers: Record<string, string | string[]>,
  ): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  once(event: "close" | "drain", listener: () => void): unknown;
  off(event: "close" | "drain", listener: () => void): unknown;
}

/** The parts of `node:http`'s `Server` used here. */
interface NodeServer {
  listen(port: number, hostname: string, callback: () => void): unknown;
  address():
    | { address: string; family: string | number; port: number }
    | string
    | null;
  close(): unknown;
  closeAllConnections?(): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  once(event: "close", listener: () => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** The part of `node:http` used here. */
interface NodeHttp {
  createServer(
    listener: (incoming: IncomingMessage, outgoing: ServerResponse) => void,
  ): NodeServer;
}

/**
 * Where and until when {@linkcode serveDashboard} listens.
 *
 * @example Listening on every interface, on a fixed port
 * ```ts
 * import type { ServeDashboardOptions } from "@omoi/webhook-delivery/dashboard";
 *
 * const options: ServeDashboardOptions = { hostname: "0.0.0.0", port: 8787 };
 * console.log(options.port); // 8787
 * ```
 */
export interface ServeDashboardOptions {
  /**
   * The address to listen on; the dashboard is for operators, so only
   * this machine by default.
   * @default {"127.0.0.1"}
   */
  hostname?: string | undefined;
  /**
   * The port; `0` picks a free one (read it from the result).
   * @default {0}
   */
  port?: number | undefined;
  /** Stops the server when it aborts: no new connections, open ones closed. */
  signal?: AbortSignal | undefined;
}

/**
 * A server {@linkcode serveDashboard} started.
 *
 * @example Reading the address it is bound to
 * ```ts ignore
 * const server: DashboardServer = await serveDashboard(handler, { port: 0 });
 * console.log(server.hostname, server.port);
 * ```
 */
export interface DashboardServer {
  /** The address bound. */
  hostname: string;
  /** The port bound. */
  port: number;
  /** `http://hostname:port/`, with an IPv6 address in brackets. */
  url: string;
  /** Resolves once the server has stopped (after `signal` aborted) and its connections are closed. */
  finished: Promise<void>;
}

/**
 * Listens with `node:http` and answers each request with `handler`:
 * converts the `IncomingMessage` into a `Request` (its URL built from the
 * bound address, not from the `Host` header) and writes the `Response`
 * back, streaming both bodies. Resolves once listening, with the address.
 *
 * @param handler A fetch-style handler, such as `createDashboard()`'s.
 * @param options The address, port and the signal that stops it.
 * @returns The bound address and a promise of the server's end.
 * @throws {RangeError} When the port is not an integer from 0 to 65535.
 *
 * @example Serving until the process gets SIGINT
 * ```ts ignore
 * import { createDashboard, serveDashboard } from "@omoi/webhook-delivery/dashboard";
 *
 * const stop = new AbortController();
 * process.once("SIGINT", () => stop.abort());
 * const { url } = await serveDashboard(createDashboard(queue, { token }), {
 *   port: 8787,
 *   signal: stop.signal,
 * });
 * console.log(`Dashboard on ${url}`);
 * ```
 */
export async function serveDashboard(
  handler: (request: Request) => Response | Promise<Response>,
  options: ServeDashboardOptions = {},
): Promise<DashboardServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(
      `Cannot serve the dashboard as 'port' must be an integer from 0 to 65535: current value is ${port}`,
    );
  }
  const { signal } = options;
  if (signal?.aborted) throw new Error("The signal was aborted before serving");
  // A specifier in a variable keeps the package's type check and its npm
  // build free of Node.js's types (as openSqliteFile does).
  const specifier = "node:http";
  const http = await import(specifier) as NodeHttp;
  let origin = "";
  const server = http.createServer((incoming, outgoing) => {
    answer(handler, origin, incoming, outgoing).catch(() => {
      if (!outgoing.headersSent) {
        outgoing.writeHead(500, { "content-type": "text/plain" });
      }
      outgoing.destroy();
    });
  });
  const finished = new Promise<void>((resolve) => {
    server.once("close", () => resolve());
  });
  return await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      // An error after listening (out of file descriptors, say) is not the
      // caller's to catch: keep the process up, and the server with it.
      server.on("error", () => {});
      const bound = server.address();
      const address = typeof bound === "object" && bound !== null
        ? bound
        : { address: hostname, port, family: "IPv4" };
      const host = address.address.includes(":")
        ? `[${address.address}]`
        : address.address;
      origin = `http://${host}:${address.port}`;
      const stop = () => {
        server.close();
        server.closeAllConnections?.();
      };
      // Aborted while it was starting: stop at once, as asked.
      if (signal?.aborted) stop();
      else signal?.addEventListener("abort", stop, { once: true });
      server.once("close", () => signal?.removeEventListener("abort", stop));
      resolve({
        hostname: address.address,
        port: address.port,
        url: `${origin}/`,
        finished,
      });
    });
  });
}

async function answer(
  handler: (request: Request) => Response | Promise<Response>,
  origin: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  const aborted = new AbortController();
  outgoing.once("close", () => aborted.abort());
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    try {
      headers.append(raw[index]!, raw[index + 1]!);
    } catch {
      // A header the Fetch API refuses is left out.
    }
  }
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = {
    method,
    headers,
    signal: aborted.signal,
  };
  if (hasBody) {
    init.body = bodyOf(incoming);
    init.duplex = "half";
  } else incoming.resume();
  const response = await handler(
    new Request(new URL(incoming.url ?? "/", origin), init),
  );
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  outgoing.writeHead(response.status, out);
  if (!response.body || method === "HEAD") {
    await response.body?.cancel();
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) return;
      if (!outgoing.write(value)) await drained(outgoing);
    }
  } finally {
    if (outgoing.destroyed) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  outgoing.end();
}

function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.once("drain", done);
    outgoing.once("close", done);
  });
}

/**
 * The request's body as a web stream, with backpressure; once the handler
 * cancels it (a form too large), the rest is read and dropped, so the
 * response can still be written on the same connection.
 */
function bodyOf(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on("data", (chunk: Uint8Array) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      incoming.once("error", (error) => {
        if (open) controller.error(error);
        open = false;
      });
      incoming.once("close", () => {
        if (open) controller.error(new Error("The request was cut short"));
        open = false;
      });
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      open = false;
      incoming.resume();
    },
  }, { highWaterMark: 4 });
}
