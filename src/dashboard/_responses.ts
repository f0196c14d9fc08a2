/**
 * What every dashboard response carries, and how a request's form is read:
 * the security headers, HTML and JSON responses, refusals with a fixed text.
 *
 * @module
 */
import { styleHash } from "./_assets.ts";

const MAX_FORM_BYTES = 16_384;

/** A refusal whose text is fixed by the dashboard, shown as it is. */
export class ClientError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A browser says where a request comes from; a cross-site POST is refused before its CSRF token is read. */
export function refuseCrossSite(request: Request): void {
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    throw new ClientError(403, "Requests from other sites are refused.");
  }
}

/** A form body, at most 16 KiB, of the one content type a form may have. */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    await request.body?.cancel();
    throw new ClientError(
      415,
      "Forms are sent as application/x-www-form-urlencoded.",
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) {
    await request.body?.cancel();
    throw new ClientError(413, "That form is too large.");
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_FORM_BYTES) {
        await reader.cancel();
        throw new ClientError(413, "That form is too large.");
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/** Whether the client takes `type` (a browser asks for HTML, a script may not). */
export function accepts(request: Request, type: string): boolean {
  const accept = request.headers.get("accept");
  return accept === null || accept.includes(type) || accept.includes("*/*");
}

let headersTemplate: Promise<Record<string, string>> | undefined;

/** The headers of every response: the CSP allows the page's own style and script and nothing else. */
export async function securityHeaders(
  extra: Record<string, string>,
): Promise<Headers> {
  headersTemplate ??= styleHash().then((style) => ({
    "content-security-policy": [
      "default-src 'none'",
      "script-src 'self'",
      `style-src ${style}`,
      "connect-src 'self'",
      "img-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  }));
  return new Headers({ ...(await headersTemplate), ...extra });
}

/** An HTML page with the security headers. */
export async function respond(
  body: string,
  status = 200,
  extra: Record<string, string> = {},
): Promise<Response> {
  return new Response(body, {
    status,
    headers: await securityHeaders({
      "content-type": "text/html; charset=utf-8",
      ...extra,
    }),
  });
}

/** A JSON body with the security headers. */
export async function json(
  value: unknown,
  status = 200,
  extra: Record<string, string> = {},
): Promise<Response> {
  return new Response(JSON.stringify(value), {
    status,
    headers: await securityHeaders({
      "content-type": "application/json; charset=utf-8",
      ...extra,
    }),
  });
}
