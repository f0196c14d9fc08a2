import { safeGet, textOf } from "../_shared/_safe_text.ts";
import { redactText, withoutUrls } from "../_shared/_redact.ts";
import type { DeliveryError, DeliveryErrorKind } from "./delivery_result.ts";

type NetworkErrorKind = Extract<
  DeliveryErrorKind,
  "connection_refused" | "connection_reset" | "dns" | "tls" | "network"
>;

// Runtimes describe the same failure differently: Node.js (undici) puts an
// errno-style `code` on the cause, Deno and Bun put it in the message. Codes
// decide first; a message only when no error of the chain has a known code.
const RULES: readonly {
  kind: NetworkErrorKind;
  codes: RegExp;
  messages: RegExp;
}[] = [
  {
    kind: "dns",
    codes: /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA)$/,
    messages:
      /dns error|getaddrinfo|name or service not known|name resolution|failed to lookup address/i,
  },
  {
    kind: "connection_refused",
    codes: /^ECONNREFUSED$/,
    messages: /connection refused|ECONNREFUSED/i,
  },
  {
    kind: "connection_reset",
    codes: /^(ECONNRESET|EPIPE|UND_ERR_SOCKET|ECONNABORTED)$/,
    messages:
      /connection reset|reset by peer|other side closed|connection closed before message completed|error reading a body from connection|broken pipe|socket hang up|incomplete message/i,
  },
  {
    kind: "tls",
    codes:
      /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT)/,
    messages:
      /invalid peer certificate|certificate verify failed|tls handshake|handshake failure|wrong version number|invalidcontenttype|received corrupt message|unknown ca|self[- ]signed certificate/i,
  },
];

/** Deno's names for a request its permissions forbid (`NotCapable` from 2.0). */
const PERMISSION_ERRORS: ReadonlySet<string> = new Set([
  "NotCapable",
  "PermissionDenied",
]);

const MAX_MESSAGE_LENGTH = 500;
const MAX_CAUSES = 5;

/**
 * Names the failure behind an error thrown by `fetch` or a body read, from
 * the error and its chain of causes: their names and codes first, their
 * messages last, and those without the URLs they quote (a host or path may
 * hold "tls" or "getaddrinfo"). The message keeps the URLs, redacted.
 */
export function classifyNetworkError(error: unknown): DeliveryError {
  const names: string[] = [];
  const codes: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current != null; depth++) {
    if (typeof current === "object" || typeof current === "function") {
      const name = safeGet(current, "name");
      const code = safeGet(current, "code");
      if (typeof name === "string") names.push(name);
      if (typeof code === "string") codes.push(code);
      const message = textOf(current);
      if (message !== "") messages.push(message);
      current = safeGet(current, "cause");
    } else {
      messages.push(textOf(current));
      current = undefined;
    }
  }
  const message =
    redactText(messages.join(": ")).slice(0, MAX_MESSAGE_LENGTH) ||
    "Unknown network error";
  if (names.some((name) => PERMISSION_ERRORS.has(name))) {
    return {
      kind: "permission_denied",
      message: message.includes("--allow-net")
        ? message
        : `${message} (Deno needs --allow-net for this request)`,
    };
  }
  const texts = messages.map(withoutUrls);
  const rule =
    RULES.find((rule) => codes.some((code) => rule.codes.test(code))) ??
      RULES.find((rule) => texts.some((text) => rule.messages.test(text)));
  return { kind: rule?.kind ?? "network", message };
}
