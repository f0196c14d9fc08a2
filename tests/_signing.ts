import { encodeBase64 } from "../src/_shared/_base64.ts";

/** The two known-answer vectors of the Standard Webhooks libraries' suites. */
export const VECTORS = [
  {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  },
  {
    secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
    timestamp: 1649367553,
    body: '{"email":"test@example.com","username":"test_user"}',
    signature: "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
  },
] as const;

/** A third secret that signs neither vector. */
export const OTHER_SECRET = "whsec_3sh5sXvQ1YlZ0ZJkE1vEwL8yqvDbBhOe";

/** The headers of a vector, as a sender puts them on the request. */
export function vectorHeaders(
  vector: (typeof VECTORS)[number],
): Record<string, string> {
  return {
    "webhook-id": vector.id,
    "webhook-timestamp": String(vector.timestamp),
    "webhook-signature": vector.signature,
  };
}

/** A clock stopped at `seconds` since the Unix epoch, for verifiers. */
export function clockAt(seconds: number): () => number {
  return () => seconds * 1_000;
}

/** Signs `body` the Standard Webhooks way, independently of the module. */
export async function sign(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(
      atob(secret.slice("whsec_".length)),
      (c) => c.charCodeAt(0),
    ),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const bytes = typeof body === "string"
    ? new TextEncoder().encode(body)
    : body;
  const content = new Uint8Array(prefix.length + bytes.length);
  content.set(prefix);
  content.set(bytes, prefix.length);
  const mac = await crypto.subtle.sign("HMAC", key, content);
  return `v1,${encodeBase64(new Uint8Array(mac))}`;
}
