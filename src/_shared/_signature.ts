import { decodeBase64, encodeBase64 } from "./_base64.ts";
import { utf8 } from "./_utf8.ts";

/** Bytes of an HMAC-SHA256 signature. */
const SIGNATURE_BYTES = 32;

/**
 * A `webhook-signature` header may list many signatures; only this many `v1`
 * entries are tried, so a forged header cannot make a receiver hash the body
 * hundreds of times. Rotation needs two or three.
 */
export const MAX_SIGNATURES_TRIED = 10;

/**
 * What Standard Webhooks signs: `{id}.{timestamp}.{body}`, with the body as
 * the exact bytes sent.
 */
export function signedContent(
  id: string,
  timestamp: string,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const prefix = utf8(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` entry per key,
 * space-separated, in the order of the keys.
 */
export async function signatureHeader(
  keys: readonly CryptoKey[],
  content: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const signatures = await Promise.all(
    keys.map((key) => crypto.subtle.sign("HMAC", key, content)),
  );
  return signatures
    .map((signature) => `v1,${encodeBase64(new Uint8Array(signature))}`)
    .join(" ");
}

/**
 * The distinct `v1` signatures of a `webhook-signature` header, decoded, at
 * most {@linkcode MAX_SIGNATURES_TRIED}. Other versions, and entries that
 * cannot be an HMAC-SHA256 signature, are skipped: they can never match.
 */
export function v1Signatures(header: string): Uint8Array<ArrayBuffer>[] {
  const seen = new Set<string>();
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const entry of header.split(" ")) {
    if (signatures.length === MAX_SIGNATURES_TRIED) break;
    const comma = entry.indexOf(",");
    if (comma === -1 || entry.slice(0, comma) !== "v1") continue;
    const encoded = entry.slice(comma + 1);
    if (seen.has(encoded)) continue;
    seen.add(encoded);
    const signature = decodeBase64(encoded);
    if (signature?.length === SIGNATURE_BYTES) signatures.push(signature);
  }
  return signatures;
}

/** What signing one attempt needs. */
export interface AttemptToSign {
  /** The delivery's headers, `webhook-id` included; they are not changed. */
  headers: Readonly<Record<string, string>>;
  id: string;
  body: Uint8Array;
  keys: readonly CryptoKey[];
  /** The time of the attempt, in milliseconds since the Unix epoch. */
  nowMs: number;
}

/**
 * A copy of an attempt's headers with `webhook-timestamp` (whole seconds)
 * and `webhook-signature` set. Every attempt gets its own, as Standard
 * Webhooks requires: the timestamp is the attempt's, not the event's.
 */
export async function signAttempt(
  attempt: AttemptToSign,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(attempt.nowMs / 1_000));
  const signature = await signatureHeader(
    attempt.keys,
    signedContent(attempt.id, timestamp, attempt.body),
  );
  // Without a prototype, like the delivery's own record of headers.
  return Object.assign(Object.create(null), attempt.headers, {
    "webhook-timestamp": timestamp,
    "webhook-signature": signature,
  });
}
