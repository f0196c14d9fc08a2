/**
 * The dashboard's style sheet (inline, allowed by its hash in the CSP) and
 * its one script (served by the handler, allowed by `script-src 'self'`):
 * no build step, no framework.
 *
 * @module
 */
import { encodeBase64 } from "../_shared/_base64.ts";
import { utf8 } from "../_shared/_utf8.ts";

/** The style sheet every page carries in a `<style>` element. */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1d232a; --muted: #5b6670; --bg: #fff;
  --line: #d8dee4; --panel: #f4f6f8; --accent: #0b5cad; --bad: #b42318;
  --ok: #1a7f37; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9aa5b1;
  --bg: #0d1117; --line: #30363d; --panel: #161b22; --accent: #58a6ff;
  --bad: #f85149; --ok: #3fb950; --warn: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg);
  background: var(--bg); }
header { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap;
  padding: .75rem 1.5rem; border-bottom: 1px solid var(--line);
  background: var(--panel); }
header h1 { font-size: 1.05rem; margin: 0; }
header nav { display: flex; gap: 1rem; flex: 1; }
header form { margin: 0; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
a { color: var(--accent); }
h2 { font-size: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, monospace; font-size: .88rem;
  overflow-wrap: anywhere; }
pre { background: var(--panel); border: 1px solid var(--line); padding: .75rem;
  overflow: auto; max-height: 28rem; white-space: pre-wrap; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem;
  min-width: 9rem; background: var(--panel); text-decoration: none; color: inherit; }
.card b { display: block; font-size: 1.6rem; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; }
.status-delivered, .status-active { color: var(--ok); }
.status-dead, .status-disabled { color: var(--bad); }
.status-pending, .status-paused, .status-probing { color: var(--warn); }
.notice { border-left: 4px solid var(--accent); background: var(--panel);
  padding: .5rem .75rem; }
.error { border-left-color: var(--bad); }
.muted { color: var(--muted); }
form.inline { display: inline-flex; gap: .4rem; margin: 0 .4rem .2rem 0; }
form.filters { display: flex; gap: .75rem; align-items: end; flex-wrap: wrap; }
label { display: inline-flex; flex-direction: column; font-size: .85rem; gap: .15rem; }
input, select, button { font: inherit; padding: .25rem .5rem; }
button { cursor: pointer; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; }
.login { max-width: 24rem; margin: 4rem auto; }
.login form { display: flex; flex-direction: column; gap: .75rem; }
`;

let styleSource: Promise<string> | undefined;

/** The CSP source that allows {@linkcode STYLE}: its SHA-256, computed once. */
export function styleHash(): Promise<string> {
  return styleSource ??= crypto.subtle.digest("SHA-256", utf8(STYLE)).then(
    (digest) => `'sha256-${encodeBase64(new Uint8Array(digest))}'`,
  );
}

/**
 * The live script: every `refresh` ms it fetches the counts as JSON and
 * writes them into each `[data-count]` element; on a message's page it
 * reloads once the message's status has changed. Without it the pages are
 * complete, only not live.
 */
export const LIVE_SCRIPT = `"use strict";
(() => {
  const body = document.body;
  const every = Number(body.dataset.refresh);
  const statsUrl = body.dataset.stats;
  const messageUrl = body.dataset.message;
  const shown = body.dataset.messageStatus;
  if (!statsUrl || !(every > 0)) return;
  // Once a form is sent or the page is left, this page's state is stale:
  // a reload now would race the navigation the user asked for.
  let leaving = false;
  const leave = () => {
    leaving = true;
  };
  document.addEventListener("submit", leave, true);
  addEventListener("pagehide", leave);
  const get = async (url) => {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    return response.ok ? response.json() : undefined;
  };
  const tick = async () => {
    if (leaving) return;
    try {
      const stats = await get(statsUrl);
      if (stats) {
        for (const element of document.querySelectorAll("[data-count]")) {
          const value = stats[element.dataset.count];
          if (typeof value === "number") element.textContent = String(value);
        }
      }
      if (messageUrl) {
        const message = await get(messageUrl);
        if (message && message.status !== shown && !leaving) {
          // Reloaded without the notice of the action that led here.
          const url = new URL(location.href);
          url.searchParams.delete("done");
          url.searchParams.delete("n");
          location.replace(url.href);
          return;
        }
      }
    } catch {
      // The next tick tries again.
    }
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
  // A page restored from the back-forward cache is live again.
  addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    leaving = false;
    setTimeout(tick, every);
  });
})();
`;
