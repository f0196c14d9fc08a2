/**
 * The dashboard's pages, server-rendered through `html`, which escapes
 * every value: a record's fields arrive here as the store gives them (URLs
 * already redacted, no headers) and leave as text.
 *
 * @module
 */
import type { DeliveryAttempt } from "../send/delivery_result.ts";
import type {
  EndpointRecord,
  MessagePage,
  MessageRecord,
  MessageStatus,
  StoreStats,
} from "../queue/store.ts";
import { STYLE } from "./_assets.ts";
import { Html, html, type HtmlValue } from "./_html.ts";

/** What every page of one request needs. */
export interface PageContext {
  /** The base path, without a trailing slash ("" at the root). */
  base: string;
  /** The dashboard's title. */
  title: string;
  /** The CSRF token forms carry; absent on the login page. */
  csrf?: string;
  /** Whether a logout button makes sense (a cookie session, not a bearer token). */
  session: boolean;
  /** Live refresh interval in ms; 0 turns the script off. */
  refreshMs: number;
}

/** The most characters of a payload a page shows. */
const MAX_PAYLOAD_CHARS = 65_536;

/** A link inside the dashboard. */
export function href(
  context: PageContext,
  path: string,
  query?: Record<string, string | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return `${context.base}${path}${text ? `?${text}` : ""}`;
}

function messageHref(context: PageContext, id: string): string {
  return href(context, `/messages/${encodeURIComponent(id)}`);
}

function layout(
  context: PageContext,
  heading: string,
  content: HtmlValue,
  options: { notice?: Html | undefined; message?: MessageRecord } = {},
): string {
  const live = context.refreshMs > 0 && context.csrf !== undefined;
  const nav = context.csrf === undefined ? "" : html`
    <nav>
      <a href="${href(context, "/")}">Overview</a>
      <a href="${href(context, "/messages", { status: "pending" })}">Pending</a>
      <a href="${href(context, "/messages", { status: "dead" })}">Dead</a>
      <a href="${href(context, "/messages")}">All messages</a>
      <a href="${href(context, "/endpoints")}">Endpoints</a>
    </nav>${context.session
      ? html`<form method="post" action="${href(context, "/logout")}">
      <input type="hidden" name="csrf" value="${context.csrf}">
      <button type="submit">Log out</button></form>`
      : ""}
  `;
  const message = options.message;
  return `<!doctype html>${html`
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>${heading} · ${context.title}</title>
        <style>${new Html(STYLE)}</style>
      </head>
      <body${live
        ? html`
          data-refresh="${context.refreshMs}" data-stats="${href(
            context,
            "/api/stats",
          )}"${message
            ? html`
              data-message="${href(
                context,
                `/api/messages/${encodeURIComponent(message.id)}`,
              )}" data-message-status="${message.status}"
            `
            : ""}
        `
        : ""}>
    <header><h1><a href="${href(context, "/")}">${context
      .title}</a></h1>${nav}</header>
    <main>
    ${options.notice ?? ""}
    <h2>${heading}</h2>
    ${content}
    </main>
    ${live
      ? html`<script src="${href(context, "/assets/live.js")}" defer></script>`
      : ""}
    </body>
    </html>
  `}`;
}

function time(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${
    iso.replace("T", " ").replace(/\.000Z$/, "Z")
  }</time>`;
}

function status(value: string): Html {
  return html`<span class="status status-${value}">${value}</span>`;
}

function csrfField(context: PageContext): Html {
  return html`<input type="hidden" name="csrf" value="${context.csrf}">`;
}

/** A notice above the heading, from a fixed set of texts (nothing of the request is echoed). */
export function notice(text: string, error = false): Html {
  return html`<p class="notice${
    error ? " error" : ""
  }" role="status">${text}</p>`;
}

/** The login form, the answer to every request without the token. */
export function loginPage(context: PageContext, failed: boolean): string {
  return `<!doctype html>${html`
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Log in · ${context.title}</title>
        <style>${new Html(STYLE)}</style>
      </head>
      <body>
        <main class="login">
    <h1>${context.title}</h1>
    ${failed ? notice("That is not the dashboard's token.", true) : ""}
    <form method="post" action="${href(context, "/login")}">
    <label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
    <button type="submit">Log in</button>
    </form>
    <p class="muted">Or send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
        </main>
      </body>
    </html>
  `}`;
}

/** A page that says what went wrong, in a fixed text. */
export function errorPage(
  context: PageContext,
  heading: string,
  text: string,
): string {
  return layout(context, heading, html`<p>${text}</p>`);
}

function countCards(context: PageContext, stats: StoreStats): Html {
  const card = (label: string, key: string, value: number, link: string) =>
    html`
      <a class="card"
        href="${link}">${label}<b data-count="${key}">${value}</b></a>
    `;
  const cards: [
    string,
    "pending" | "inFlight" | "delivered" | "dead",
    MessageStatus,
  ][] = [
    ["Pending", "pending", "pending"],
    ["In flight", "inFlight", "pending"],
    ["Delivered", "delivered", "delivered"],
    ["Dead", "dead", "dead"],
  ];
  return html`<div class="cards">
${
    cards.map(([label, key, status]) =>
      card(
        label,
        key,
        stats[key],
        href(context, "/messages", { status }),
      )
    )
  }
</div>`;
}

function endpointTable(
  context: PageContext,
  endpoints: readonly EndpointRecord[],
  actions: boolean,
): Html {
  if (endpoints.length === 0) {
    return html`<p class="muted">No endpoint has messages or state yet.</p>`;
  }
  const count = (endpoint: string, key: MessageStatus, value: number) =>
    value === 0
      ? html`<td class="num">0</td>`
      : html`<td class="num"><a href="${
        href(context, "/messages", { status: key, endpoint })
      }">${value}</a></td>`;
  const rows = endpoints.map((e) =>
    html`<tr data-endpoint="${e.endpoint}">
<td class="mono">${e.endpoint}</td>
<td>${status(e.status)}${
      e.status === "paused" || e.status === "probing"
        ? html`
          <br><span
            class="muted">${e.failures} failures in a row; paused until ${time(
              e.pausedUntil,
            )}</span>
        `
        : ""
    }${
      e.disabledReason === null
        ? ""
        : html`<br><span class="muted">${e.disabledReason}</span>`
    }</td>
${count(e.endpoint, "pending", e.pending)}
${count(e.endpoint, "delivered", e.delivered)}
${count(e.endpoint, "dead", e.dead)}
${actions ? html`<td>${endpointActions(context, e)}</td>` : ""}
</tr>`
  );
  return html`
    <table>
      <thead>
        <tr><th>Endpoint</th><th>State</th><th class="num">Pending</th><th class="num">Delivered</th><th class="num">Dead</th>${actions
          ? html`<th>Actions</th>`
          : ""}</tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function endpointActions(context: PageContext, e: EndpointRecord): Html {
  const endpointField =
    html`<input type="hidden" name="endpoint" value="${e.endpoint}">`;
  return html`${
    e.status === "disabled"
      ? html`
        <form class="inline" method="post"
          action="${href(context, "/endpoints/enable")}">${csrfField(
            context,
          )}${endpointField}<button type="submit">Re-enable</button></form>
      `
      : html`
        <form class="inline" method="post"
          action="${href(context, "/endpoints/disable")}">${csrfField(
            context,
          )}${endpointField}<input name="reason" required maxlength="500" placeholder="Reason" aria-label="Reason to disable ${e
            .endpoint}"><button type="submit">Disable</button></form>
      `
  }${
    e.dead > 0
      ? html`
        <form class="inline" method="post"
          action="${href(context, "/endpoints/replay-dead")}">${csrfField(
            context,
          )}${endpointField}<button type="submit">Replay ${e
            .dead} dead</button></form>
      `
      : ""
  }`;
}

/** Counts by status, then by endpoint. */
export function overviewPage(
  context: PageContext,
  stats: StoreStats,
  endpoints: readonly EndpointRecord[],
  options: { notice?: Html } = {},
): string {
  return layout(
    context,
    "Overview",
    html`${countCards(context, stats)}
<h2>By endpoint</h2>
${endpointTable(context, endpoints, false)}`,
    options,
  );
}

/** Every endpoint with its state and its actions. */
export function endpointsPage(
  context: PageContext,
  endpoints: readonly EndpointRecord[],
  options: { notice?: Html } = {},
): string {
  return layout(
    context,
    "Endpoints",
    html`
      <p
        class="muted">Paused and probing endpoints resume by themselves when a probe succeeds; a disabled one (by a <code>410 Gone</code> or by hand) waits for you. Re-enabling leaves its dead messages dead until you replay them.</p>
      ${endpointTable(context, endpoints, true)}
    `,
    options,
  );
}

/** The filters a message list was asked for. */
export interface ListFilters {
  status?: MessageStatus | undefined;
  endpoint?: string | undefined;
  cursor?: string | undefined;
}

/** One page of messages with its filters and a link to the next page. */
export function messagesPage(
  context: PageContext,
  page: MessagePage,
  filters: ListFilters,
  options: { notice?: Html } = {},
): string {
  const heading = filters.status
    ? `${filters.status[0]!.toUpperCase()}${filters.status.slice(1)} messages`
    : "Messages";
  const option = (value: string, label: string) =>
    html`
      <option value="${value}" ${(filters.status ?? "") === value
        ? html`
          selected
        `
        : ""}>${label}</option>
    `;
  const form = html`
    <form class="filters" method="get" action="${href(context, "/messages")}">
      <label>Status <select name="status">${option("", "Any")}${option(
        "pending",
        "Pending",
      )}${option("dead", "Dead")}${option(
        "delivered",
        "Delivered",
      )}</select></label>
      <label>Endpoint <input name="endpoint" value="${filters.endpoint ??
        ""}" placeholder="Any"></label>
      <button type="submit">Filter</button>
    </form>
  `;
  const bulk = filters.status === "dead" && filters.endpoint
    ? html`
      <form class="inline" method="post"
        action="${href(context, "/endpoints/replay-dead")}">${csrfField(
          context,
        )}<input type="hidden" name="endpoint" value="${filters
          .endpoint}"><button type="submit">Replay every dead message of this endpoint</button></form>
    `
    : "";
  const rows = page.messages.map((m) =>
    html`
      <tr data-id="${m.id}">
        <td class="mono"><a href="${messageHref(context, m.id)}">${m
          .id}</a></td>
        <td>${status(m.status)}${m.inFlight
          ? html`
            <span class="muted">(in flight)</span>
          `
          : ""}${m.deadReason === undefined
          ? ""
          : html`<br><span class="muted">${m.deadReason}</span>`}</td>
        <td class="mono">${m.endpoint}</td>
        <td class="mono">${m.url}</td>
        <td class="num">${m.attempts.length}</td>
        <td>${time(m.createdAt)}</td>
        <td>${time(m.nextAttemptAt)}</td>
      </tr>
    `
  );
  const table = page.messages.length === 0
    ? html`<p class="muted">No message matches.</p>`
    : html`
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Status</th>
            <th>Endpoint</th>
            <th>URL</th>
            <th class="num">Attempts</th>
            <th>Created</th>
            <th>Next attempt</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    `;
  const paging = html`<p>${
    filters.cursor
      ? html`
        <a href="${href(context, "/messages", {
          status: filters.status,
          endpoint: filters.endpoint,
        })}">First page</a>
      `
      : ""
  }${
    page.cursor
      ? html`<a rel="next" href="${
        href(context, "/messages", {
          status: filters.status,
          endpoint: filters.endpoint,
          cursor: page.cursor,
        })
      }">Next page</a>`
      : ""
  }</p>`;
  return layout(
    context,
    heading,
    html`${form}${bulk}${table}${paging}`,
    options,
  );
}

function attemptResult(attempt: DeliveryAttempt): Html {
  if (attempt.status !== undefined) {
    return attempt.responseExcerpt === undefined
      ? html`<span class="mono">HTTP ${attempt.status}</span>`
      : html`
        <span class="mono">HTTP ${attempt.status}</span><br><span
          class="muted mono">${attempt.responseExcerpt}</span>
      `;
  }
  if (attempt.error) {
    return html`<span class="mono">${attempt.error.kind}</span><br><span class="muted">${attempt.error.message}</span>`;
  }
  return html`<span class="muted">—</span>`;
}

function payload(body: string): Html {
  let text = body;
  try {
    text = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Shown as stored.
  }
  if (text.length > MAX_PAYLOAD_CHARS) {
    text = `${text.slice(0, MAX_PAYLOAD_CHARS)}\n… ${
      text.length - MAX_PAYLOAD_CHARS
    } more characters`;
  }
  return html`<pre class="payload">${text}</pre>`;
}

/** One message: its fields, its attempts, its payload and its replay button. */
export function messagePage(
  context: PageContext,
  message: MessageRecord,
  options: { notice?: Html; showPayload: boolean },
): string {
  const attempts = message.attempts.length === 0
    ? html`<p class="muted">No attempt recorded yet.</p>`
    : html`
      <table>
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Started</th>
            <th>Result</th>
            <th class="num">Duration</th>
            <th>Then</th>
          </tr>
        </thead>
        <tbody>${message.attempts.map((a, index) =>
          html`
            <tr>
              <td class="num">${index + 1}${a.number === 1 && index > 0
                ? html`<br><span class="muted">replay</span>`
                : ""}</td>
              <td>${time(a.startedAt)}</td>
              <td>${attemptResult(a)}</td>
              <td class="num">${a.durationMs} ms</td>
              <td>${a.retryInMs === undefined
                ? ""
                : html`retry after ${a.retryInMs} ms (at ${
                  time(
                    new Date(
                      Date.parse(a.startedAt) + a.durationMs + a.retryInMs,
                    )
                      .toISOString(),
                  )
                })`}</td>
            </tr>
          `
        )}</tbody>
      </table>
    `;
  const replay = message.status === "pending"
    ? html`<p class="muted">Pending: ${
      message.inFlight
        ? "an attempt is in flight now"
        : "waiting for its next attempt"
    }.</p>`
    : html`
      <form class="inline" method="post"
        action="${href(
          context,
          `/messages/${encodeURIComponent(message.id)}/replay`,
        )}">${csrfField(
          context,
        )}<button type="submit">Replay this message</button></form>
    `;
  return layout(
    context,
    `Message ${message.id}`,
    html`<dl>
<dt>Status</dt><dd>${status(message.status)}${
      message.inFlight
        ? html`
          <span class="muted">(in flight)</span>
        `
        : ""
    }</dd>
${
      message.deadReason === undefined ? "" : html`
        <dt>Dead reason</dt>
        <dd class="dead-reason">${message.deadReason}</dd>
      `
    }
<dt>Endpoint</dt><dd class="mono"><a href="${
      href(context, "/messages", { endpoint: message.endpoint })
    }">${message.endpoint}</a></dd>
<dt>URL</dt><dd class="mono url">${message.url}</dd>
<dt>Created</dt><dd>${time(message.createdAt)}</dd>
<dt>Updated</dt><dd>${time(message.updatedAt)}</dd>
<dt>Next attempt</dt><dd>${time(message.nextAttemptAt)}</dd>
</dl>
${replay}
<h2>Attempts</h2>
${attempts}
${
      options.showPayload && message.body !== undefined
        ? html`<h2>Payload</h2>${payload(message.body)}`
        : ""
    }`,
    { notice: options.notice, message },
  );
}
