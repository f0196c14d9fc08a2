import type { DeliveryError, DeliveryErrorKind } from "./delivery_result.ts";
import { redactUrls } from "../_shared/_log_url.ts";

type NetworkErrorKind = Extract<
  DeliveryErrorKind,
  "connection_refused" | "connection_reset" | "dns" | "tls" | "network"
>;

// Runtimes describe the same failure differently: Node.js (undici) puts an
// errno-style `code` on the cause, Deno and Bun put it in the message. Codes
// are matched first, then messages, most specific kind first.
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

const MAX_MESSAGE_LENGTH = 500;

// Deno quotes the request URL in its messages: matching must not see it, as
// a host or path may contain "tls" or "refused".
const QUOTED_URL = /\bhttps?:\/\/[^\s)]*/gi;

/** Names the network failure behind an error thrown by `fetch` or a body read. */
export function classifyNetworkError(error: unknown): DeliveryError {
  const codes: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current != null; depth++) {
    if (typeof current === "object") {
      const { code, message, cause } = current as {
        code?: unknown;
        message?: unknown;
        cause?: unknown;
      };
      if (typeof code === "string") codes.push(code);
      if (typeof message === "string" && message !== "") {
        messages.push(message);
      }
      current = cause;
    } else {
      messages.push(String(current));
      current = undefined;
    }
  }
  // The message keeps the URL, in the redacted form that logs use.
  const message =
    redactUrls(messages.join(": ")).slice(0, MAX_MESSAGE_LENGTH) ||
    "Unknown network error";
  const rule =
    RULES.find(({ codes: codePattern }) =>
      codes.some((code) => codePattern.test(code))
    ) ??
      RULES.find(({ messages: messagePattern }) =>
        messages.some((text) =>
          messagePattern.test(text.replace(QUOTED_URL, ""))
        )
      );
  return { kind: rule?.kind ?? "network", message };
}
