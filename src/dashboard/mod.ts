/**
 * A web dashboard for a `WebhookQueue`: counts, pending and dead
 * messages, each message with its attempts, endpoint states, and replay,
 * behind a token. `createDashboard()` returns a standard
 * `(request: Request) => Promise<Response>` handler built on Web APIs only
 * (Request, Response, URL, Web Crypto), so it mounts in Deno's `serve`, Bun,
 * Hono or any fetch-style router; `serveDashboard()` serves it on
 * `node:http` (Node.js, Bun, Deno), which it loads only when called.
 *
 * @example Serving the dashboard of a queue's SQLite file
 * ```ts ignore
 * import { WebhookQueue } from "@omoi/webhook-delivery";
 * import { SqliteStore } from "@omoi/webhook-delivery/sqlite";
 * import { createDashboard, serveDashboard } from "@omoi/webhook-delivery/dashboard";
 *
 * const queue = new WebhookQueue({ store: new SqliteStore({ path: "webhooks.db" }) });
 * const dashboard = createDashboard(queue, {
 *   token: process.env.DASHBOARD_TOKEN!,
 * });
 * // Or hand `dashboard` to Deno's serve(), Bun.serve() or a router.
 * await serveDashboard(dashboard, { port: 8080 }); // on 127.0.0.1
 * ```
 *
 * @module
 */
import { failOption, MAX_TIMER_MS } from "../_shared/_option_error.ts";
import type {
  EndpointRecord,
  ListOptions,
  MessagePage,
  MessageRecord,
  MessageStatus,
  ReplayFilter,
  StoreStats,
} from "../queue/store.ts";
import { LIVE_SCRIPT } from "./_assets.ts";
import type { Html } from "./_html.ts";
import {
  endpointsPage,
  errorPage,
  type ListFilters,
  loginPage,
  messagePage,
  messagesPage,
  notice,
  overviewPage,
  type PageContext,
} from "./_pages.ts";
import { type Credential, SessionKeys } from "./_session.ts";
import {
  accepts,
  ClientError,
  json,
  readForm,
  refuseCrossSite,
  respond,
  securityHeaders,
} from "./_responses.ts";

export {
  type DashboardServer,
  serveDashboard,
  type ServeDashboardOptions,
} from "./serve.ts";

/**
 * What the dashboard uses of a queue: inspection, replay and the endpoint
 * switches. A `WebhookQueue` is one, whether or not it was
 * started: a process can serve the dashboard of a queue that others work.
 *
 * @example A started queue, or one only inspected
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import type { DashboardQueue } from "@omoi/webhook-delivery/dashboard";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const inspected: DashboardQueue = queue;
 * console.log((await inspected.stats()).pending); // 0
 * ```
 */
export interface DashboardQueue {
  /** As `WebhookQueue.get()`. */
  get(id: string): Promise<MessageRecord | undefined>;
  /** As `WebhookQueue.list()`. */
  list(options?: ListOptions): Promise<MessagePage>;
  /** As `WebhookQueue.stats()`. */
  stats(): Promise<StoreStats>;
  /** As `WebhookQueue.endpoints()`. */
  endpoints(): Promise<EndpointRecord[]>;
  /** As `WebhookQueue.replay()`. */
  replay(id: string): Promise<boolean>;
  /** As `WebhookQueue.replayDead()`. */
  replayDead(filter?: ReplayFilter): Promise<number>;
  /** As `WebhookQueue.enableEndpoint()`. */
  enableEndpoint(endpoint: string): Promise<boolean>;
  /** As `WebhookQueue.disableEndpoint()`. */
  disableEndpoint(endpoint: string, reason: string): Promise<number>;
}

/**
 * How {@linkcode createDashboard} serves.
 *
 * @example Under a path prefix, with a longer session
 * ```ts
 * import type { DashboardOptions } from "@omoi/webhook-delivery/dashboard";
 *
 * const options: DashboardOptions = {
 *   token: "a-long-random-token-from-your-secrets",
 *   basePath: "/ops/webhooks",
 *   title: "Acme webhooks",
 *   sessionMaxAgeMs: 24 * 60 * 60 * 1000,
 * };
 * console.log(options.basePath); // "/ops/webhooks"
 * ```
 */
export interface DashboardOptions {
  /**
   * The secret every request must prove it knows: as
   * `Authorization: Bearer <token>`, or through the login form, which sets
   * an HttpOnly, SameSite=Strict session cookie. At least 16 characters;
   * use a long random one.
   */
  token: string;
  /**
   * The path the dashboard is mounted under, such as `/ops/webhooks`; it
   * answers 404 outside it. Links and redirects include it.
   * @default {""}
   */
  basePath?: string | undefined;
  /**
   * The name in the header and the window title.
   * @default {"Webhook delivery"}
   */
  title?: string | undefined;
  /**
   * How long a login lasts, in milliseconds.
   * @default {43200000} (12 hours)
   */
  sessionMaxAgeMs?: number | undefined;
  /**
   * Whether a message's page shows its payload (always as text). Turn it
   * off when payloads hold data the dashboard's users must not see.
   * Header values are never shown.
   * @default {true}
   */
  showPayloads?: boolean | undefined;
  /**
   * How often the pages' script refreshes the counts (and reloads a
   * message's page once its status changes), in milliseconds; `0` serves
   * no script.
   * @default {5000}
   */
  refreshMs?: number | undefined;
  /**
   * Whether the session cookie is `Secure`. By default it is when the
   * request's URL is `https:`; set it behind a proxy that ends TLS.
   */
  secureCookie?: boolean | undefined;
  /**
   * Called with an error the queue threw while answering (the response is
   * a plain 500 page without details).
   * @default {console.error}
   */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * A fetch-style handler: what Deno's `serve`, `Bun.serve`, Hono's
 * `c.req.raw` routes and `serveDashboard` call.
 *
 * @example Calling it directly
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import { createDashboard, type DashboardHandler } from "@omoi/webhook-delivery/dashboard";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const handler: DashboardHandler = createDashboard(queue, { token: "0123456789abcdef-token" });
 * const response = await handler(new Request("http://127.0.0.1/"));
 * console.log(response.status); // 401
 * await response.body?.cancel();
 * ```
 */
export type DashboardHandler = (request: Request) => Promise<Response>;

const COOKIE = "webhook_dashboard";
const STATUSES: readonly MessageStatus[] = ["pending", "delivered", "dead"];
const PAGE_SIZE = 50;

/**
 * Builds the dashboard's handler for a queue. Every request without the
 * token is refused (401, with the login form for a browser); every
 * state-changing action is a POST that must carry the session's CSRF
 * token; every response carries a strict Content-Security-Policy,
 * `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and
 * `Cache-Control: no-store`; every value shown is escaped; URLs appear
 * redacted and header values never.
 *
 * @param queue The queue to show, started or not.
 * @param options The token (required), the base path and the rest.
 * @returns The handler.
 * @throws {RangeError} When the token is shorter than 16 characters, or a number is out of range.
 * @throws {TypeError} When an option is not of the right type or the base path is not a path.
 *
 * @example Mounted under a prefix, next to the app's own routes
 * ```ts
 * import { silentLogger, WebhookQueue } from "@omoi/webhook-delivery";
 * import { createDashboard } from "@omoi/webhook-delivery/dashboard";
 *
 * await using queue = new WebhookQueue({ logger: silentLogger });
 * const dashboard = createDashboard(queue, {
 *   token: "0123456789abcdef-token",
 *   basePath: "/webhooks",
 * });
 * const app = (request: Request) =>
 *   new URL(request.url).pathname.startsWith("/webhooks")
 *     ? dashboard(request)
 *     : Promise.resolve(new Response("the app"));
 *
 * const response = await app(
 *   new Request("http://127.0.0.1/webhooks/api/stats", {
 *     headers: { authorization: "Bearer 0123456789abcdef-token" },
 *   }),
 * );
 * console.log(await response.json()); // { pending: 0, delivered: 0, dead: 0, inFlight: 0 }
 * ```
 */
export function createDashboard(
  queue: DashboardQueue,
  options: DashboardOptions,
): DashboardHandler {
  const settings = normalize(options);
  const keys = new SessionKeys(settings.token, settings.sessionMaxAgeMs);
  return async (request: Request): Promise<Response> => {
    try {
      return await handle(request, queue, settings, keys);
    } catch (error) {
      if (error instanceof ClientError) {
        return respond(
          textPage(settings, error.status, error.message),
          error.status,
        );
      }
      settings.onError(error);
      return respond(
        textPage(settings, 500, "The queue could not answer."),
        500,
      );
    }
  };
}

interface Settings {
  token: string;
  base: string;
  title: string;
  sessionMaxAgeMs: number;
  showPayloads: boolean;
  refreshMs: number;
  secureCookie: boolean | undefined;
  onError: (error: unknown) => void;
}

function normalize(options: DashboardOptions): Settings {
  const subject = "the dashboard";
  if (typeof options !== "object" || options === null) {
    failOption(subject, "options", "an object", options, TypeError);
  }
  const { token } = options;
  if (typeof token !== "string") {
    failOption(subject, "token", "a string", token, TypeError);
  }
  if (token.length < 16) {
    throw new RangeError(
      "Cannot create the dashboard as 'token' must be at least 16 characters long",
    );
  }
  const basePath = options.basePath ?? "";
  if (
    typeof basePath !== "string" ||
    !/^(\/[A-Za-z0-9._~!$&*+=:@%-]+)*\/?$/.test(basePath)
  ) {
    failOption(
      subject,
      "basePath",
      "a path such as /ops/webhooks",
      basePath,
      TypeError,
    );
  }
  const title = options.title ?? "Webhook delivery";
  if (typeof title !== "string" || title.length === 0) {
    failOption(subject, "title", "a non-empty string", title, TypeError);
  }
  const sessionMaxAgeMs = options.sessionMaxAgeMs ?? 12 * 60 * 60 * 1000;
  if (
    typeof sessionMaxAgeMs !== "number" || !Number.isInteger(sessionMaxAgeMs) ||
    sessionMaxAgeMs < 1_000 || sessionMaxAgeMs > 366 * 24 * 60 * 60 * 1000
  ) {
    failOption(
      subject,
      "sessionMaxAgeMs",
      "an integer from 1000 to a year",
      sessionMaxAgeMs,
    );
  }
  const refreshMs = options.refreshMs ?? 5_000;
  if (
    typeof refreshMs !== "number" || !Number.isInteger(refreshMs) ||
    refreshMs < 0 || refreshMs > MAX_TIMER_MS
  ) {
    failOption(subject, "refreshMs", "0 or a whole number of ms", refreshMs);
  }
  const onError = options.onError ?? ((error) => console.error(error));
  if (typeof onError !== "function") {
    failOption(subject, "onError", "a function", onError, TypeError);
  }
  return {
    token,
    base: basePath.replace(/\/$/, ""),
    title,
    sessionMaxAgeMs,
    showPayloads: options.showPayloads ?? true,
    refreshMs,
    secureCookie: options.secureCookie,
    onError,
  };
}

async function handle(
  request: Request,
  queue: DashboardQueue,
  settings: Settings,
  keys: SessionKeys,
): Promise<Response> {
  const url = new URL(request.url);
  const { base } = settings;
  let path: string;
  if (url.pathname === base || url.pathname === `${base}/`) path = "/";
  else if (url.pathname.startsWith(`${base}/`)) {
    path = url.pathname.slice(base.length);
  } else throw new ClientError(404, "Not found.");
  const method = request.method.toUpperCase();
  const now = Date.now();

  if (path === "/login") {
    if (method !== "POST") return redirect(settings, "/");
    refuseCrossSite(request);
    const form = await readForm(request);
    if (!(await keys.isToken(form.get("token") ?? ""))) {
      return respond(
        loginPage(pageContext(settings, undefined), true),
        401,
        { "www-authenticate": 'Bearer realm="webhook-delivery"' },
      );
    }
    return redirect(settings, "/", {
      "set-cookie": cookie(
        settings,
        url,
        await keys.newSession(now),
        settings.sessionMaxAgeMs,
      ),
    });
  }

  const credential = await authenticate(request, keys, now);
  if (!credential) {
    if (path.startsWith("/api/") || !accepts(request, "text/html")) {
      return json({ error: "unauthorized" }, 401, {
        "www-authenticate": 'Bearer realm="webhook-delivery"',
      });
    }
    return respond(
      loginPage(pageContext(settings, undefined), false),
      401,
      { "www-authenticate": 'Bearer realm="webhook-delivery"' },
    );
  }
  const csrf = await keys.csrfToken(credential);
  const context = pageContext(settings, csrf, credential.kind === "session");

  if (method === "POST") {
    refuseCrossSite(request);
    const form = await readForm(request);
    if (!(await keys.checkCsrf(credential, form.get("csrf") ?? ""))) {
      throw new ClientError(
        403,
        "This form is stale or was not sent by the dashboard: reload the page and try again.",
      );
    }
    return await act(path, form, queue, settings, url);
  }
  if (method !== "GET" && method !== "HEAD") {
    return respond(
      errorPage(context, "Not allowed", "Only GET and POST are answered."),
      405,
      { allow: "GET, HEAD, POST" },
    );
  }

  const done = doneNotice(url.searchParams);
  if (path === "/") {
    const [stats, endpoints] = await Promise.all([
      queue.stats(),
      queue.endpoints(),
    ]);
    return respond(overviewPage(context, stats, endpoints, done));
  }
  if (path === "/endpoints") {
    return respond(endpointsPage(context, await queue.endpoints(), done));
  }
  if (path === "/messages") {
    const filters = listFilters(url.searchParams);
    let page;
    try {
      page = await queue.list({ ...filters, limit: PAGE_SIZE });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new ClientError(
          400,
          "That filter or page is not one the queue knows.",
        );
      }
      throw error;
    }
    return respond(messagesPage(context, page, filters, done));
  }
  const messageId = matchMessage(path, "");
  if (messageId !== undefined) {
    const message = await queue.get(messageId);
    if (!message) throw new ClientError(404, "No message has this id.");
    return respond(
      messagePage(context, message, {
        ...done,
        showPayload: settings.showPayloads,
      }),
    );
  }
  if (path === "/api/stats") {
    const { pending, delivered, dead, inFlight } = await queue.stats();
    return json({ pending, delivered, dead, inFlight });
  }
  const apiId = path.startsWith("/api/messages/")
    ? decodeSegment(path.slice("/api/messages/".length))
    : undefined;
  if (apiId !== undefined) {
    const message = await queue.get(apiId);
    if (!message) return json({ error: "not found" }, 404);
    return json({
      id: message.id,
      status: message.status,
      attempts: message.attempts.length,
      nextAttemptAt: message.nextAttemptAt,
    });
  }
  if (path === "/assets/live.js") {
    return new Response(method === "HEAD" ? null : LIVE_SCRIPT, {
      headers: await securityHeaders({
        "content-type": "text/javascript; charset=utf-8",
      }),
    });
  }
  throw new ClientError(404, "Not found.");
}

async function act(
  path: string,
  form: URLSearchParams,
  queue: DashboardQueue,
  settings: Settings,
  url: URL,
): Promise<Response> {
  if (path === "/logout") {
    return redirect(settings, "/", {
      "set-cookie": cookie(settings, url, "", 0),
    });
  }
  const replayId = matchMessage(path, "/replay");
  if (replayId !== undefined) {
    const replayed = await queue.replay(replayId);
    return redirect(
      settings,
      `/messages/${encodeURIComponent(replayId)}?done=${
        replayed ? "replayed" : "not-replayed"
      }`,
    );
  }
  const endpoint = form.get("endpoint");
  if (path.startsWith("/endpoints/") && !endpoint) {
    throw new ClientError(400, "Which endpoint? The form sent none.");
  }
  if (path === "/endpoints/enable") {
    const enabled = await queue.enableEndpoint(endpoint!);
    return redirect(
      settings,
      `/endpoints?done=${enabled ? "enabled" : "not-disabled"}`,
    );
  }
  if (path === "/endpoints/disable") {
    const reason = (form.get("reason") ?? "").trim();
    if (reason.length === 0 || reason.length > 500) {
      throw new ClientError(400, "A reason of 1 to 500 characters is needed.");
    }
    const count = await queue.disableEndpoint(endpoint!, reason);
    return redirect(settings, `/endpoints?done=disabled&n=${count}`);
  }
  if (path === "/endpoints/replay-dead") {
    const count = await queue.replayDead({ endpoint: endpoint! });
    return redirect(settings, `/endpoints?done=replayed-dead&n=${count}`);
  }
  throw new ClientError(404, "No such action.");
}

/** The message id in `/messages/<id><suffix>`, decoded; `undefined` for other paths. */
function matchMessage(path: string, suffix: string): string | undefined {
  if (!path.startsWith("/messages/") || !path.endsWith(suffix)) {
    return undefined;
  }
  const segment = path.slice("/messages/".length, path.length - suffix.length);
  if (segment.length === 0 || segment.includes("/")) return undefined;
  return decodeSegment(segment);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ClientError(400, "That id is not a valid URL segment.");
  }
}

function listFilters(search: URLSearchParams): ListFilters {
  const status = search.get("status") || undefined;
  if (status !== undefined && !STATUSES.includes(status as MessageStatus)) {
    throw new ClientError(400, "Status must be pending, delivered or dead.");
  }
  return {
    status: status as MessageStatus | undefined,
    endpoint: search.get("endpoint")?.trim() || undefined,
    cursor: search.get("cursor") || undefined,
  };
}

/** The notice an action's redirect asked for: fixed texts, only a count taken from the URL. */
function doneNotice(search: URLSearchParams): { notice?: Html } {
  const n = Number(search.get("n") ?? "0");
  const count = Number.isSafeInteger(n) && n >= 0 ? n : 0;
  const plural = (word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const text: Record<string, [string, boolean]> = {
    "replayed": ["Replayed: the message is pending again.", false],
    "not-replayed": [
      "Not replayed: the message is pending already.",
      true,
    ],
    "replayed-dead": [
      `${plural("dead message")} of the endpoint pending again.`,
      false,
    ],
    "enabled": ["Endpoint re-enabled.", false],
    "not-disabled": ["The endpoint was not disabled.", true],
    "disabled": [
      `Endpoint disabled; ${plural("pending message")} went dead.`,
      false,
    ],
  };
  const entry = Object.hasOwn(text, search.get("done") ?? "")
    ? text[search.get("done")!]
    : undefined;
  return entry ? { notice: notice(entry[0], entry[1]) } : {};
}

async function authenticate(
  request: Request,
  keys: SessionKeys,
  now: number,
): Promise<Credential | undefined> {
  const authorization = request.headers.get("authorization");
  // Only a Bearer header speaks for the dashboard: a proxy's Basic
  // credentials, sent by the browser on every request, leave the session
  // cookie to decide.
  if (authorization !== null && /^Bearer\b/i.test(authorization)) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return match && await keys.isToken(match[1]!)
      ? { kind: "bearer" }
      : undefined;
  }
  const session = readCookie(request.headers.get("cookie"), COOKIE);
  return session === undefined
    ? undefined
    : await keys.checkSession(session, now);
}

function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) {
      return part.slice(index + 1).trim();
    }
  }
  return undefined;
}

function cookie(
  settings: Settings,
  url: URL,
  value: string,
  maxAgeMs: number,
): string {
  const secure = settings.secureCookie ?? url.protocol === "https:";
  return `${COOKIE}=${value}; Path=${settings.base || "/"}; Max-Age=${
    Math.floor(maxAgeMs / 1000)
  }; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

function pageContext(
  settings: Settings,
  csrf: string | undefined,
  session = false,
): PageContext {
  return {
    base: settings.base,
    title: settings.title,
    session,
    refreshMs: settings.refreshMs,
    ...(csrf === undefined ? {} : { csrf }),
  };
}

/** A 303 to a path inside the dashboard: relative to the origin, so no Host header is trusted. */
async function redirect(
  settings: Settings,
  path: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return new Response(null, {
    status: 303,
    headers: await securityHeaders({
      location: `${settings.base}${path}`,
      ...extra,
    }),
  });
}

const HEADINGS: Record<number, string> = {
  400: "Bad request",
  403: "Refused",
  404: "Not found",
  413: "Too large",
  415: "Unsupported form",
  500: "Error",
};

function textPage(settings: Settings, status: number, text: string): string {
  return errorPage(
    pageContext(settings, undefined),
    HEADINGS[status] ?? "Error",
    text,
  );
}
