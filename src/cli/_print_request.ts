import { printable } from "./_printable.ts";

/**
 * How `listen` shows a request: readable lines for people, or one JSON
 * record per request for scripts.
 *
 * @module
 */

/** What `listen` knows of one request once it has answered it. */
export interface ReceivedRequest {
  /** 1 for the first request since the receiver started. */
  number: number;
  /** When it arrived, ISO 8601. */
  time: string;
  method: string;
  path: string;
  /** Header names (lower case) and values, in arrival order. */
  headers: [string, string][];
  /** The body: its JSON value when it parses, else its text. */
  body: unknown;
  /** Whether the body parsed as JSON. */
  bodyIsJson: boolean;
  /** The signature check, when a secret was given. */
  signature?:
    | { verified: true }
    | { verified: false; reason: string; message: string };
  /** The status answered. */
  status: number;
}

/** Header values not printed even by a receiver meant to show them. */
const HIDDEN = new Set(["authorization", "proxy-authorization", "cookie"]);

function shown([name, value]: [string, string]): [string, string] {
  return [name, HIDDEN.has(name) ? "REDACTED" : value];
}

/** The request as readable lines, each ending with a line break. */
export function formatRequest(request: ReceivedRequest): string {
  return printable(readableLines(request));
}

function readableLines(request: ReceivedRequest): string {
  const lines = [
    `#${request.number} ${request.time} ${request.method} ${request.path} -> ${request.status}`,
  ];
  for (const [name, value] of request.headers.map(shown)) {
    lines.push(`  ${name}: ${value}`);
  }
  if (request.signature) {
    lines.push(
      request.signature.verified
        ? "  signature: verified"
        : `  signature: FAILED (${request.signature.reason}): ${request.signature.message}`,
    );
  }
  const body = request.bodyIsJson
    ? JSON.stringify(request.body, null, 2)
    : String(request.body);
  if (body !== "") {
    lines.push("", ...body.split("\n").map((line) => `  ${line}`));
  }
  return `${lines.join("\n")}\n\n`;
}

/** The request as one JSON line. */
export function requestRecord(request: ReceivedRequest): string {
  return `${
    JSON.stringify({
      ...request,
      headers: Object.fromEntries(request.headers.map(shown)),
    })
  }\n`;
}
