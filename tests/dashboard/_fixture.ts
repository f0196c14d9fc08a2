/**
 * A queue with hostile data for the dashboard's tests: a dead message whose
 * payload, URL and endpoint key try to inject markup, and whose headers,
 * URL credentials and signing secret must never be shown.
 */
import { type FetchFunction, silentLogger, WebhookQueue } from "../../mod.ts";
import { eventually } from "../queue/_receiver.ts";

export const TOKEN = "dashboard-test-token-0123456789";
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/** Values that must never appear in a page. */
export const NEVER_SHOWN = [
  "sekret-header-value",
  "pass-word",
  "query-token-value",
  "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  TOKEN,
];
export const HOSTILE_PAYLOAD = {
  note: `<script>alert("payload")</script>`,
  quote: `"'><img src=x onerror=alert(1)>`,
};
export const HOSTILE_ENDPOINT = `"><script>alert('endpoint')</script>`;

/** What the stand-in receiver says with a 4xx: markup, to be shown as text. */
export const HOSTILE_EXCERPT = `<script>alert("excerpt")</script>`;

/**
 * A queue whose stand-in receiver answers what `answers` holds next (then
 * 204), a 4xx with {@linkcode HOSTILE_EXCERPT} as its body.
 */
export async function hostileQueue(
  answers: number[] = [400],
): Promise<{ queue: WebhookQueue; deadId: string; plainId: string }> {
  const fetch: FetchFunction = () => {
    const status = answers.shift() ?? 204;
    return Promise.resolve(
      new Response(status >= 400 ? HOSTILE_EXCERPT : null, { status }),
    );
  };
  const queue = new WebhookQueue({
    logger: silentLogger,
    secret: SECRET,
    retryDelaysMs: [],
    jitter: 0,
    fetch,
    circuitBreaker: false,
  });
  queue.start();
  const { id: deadId } = await queue.enqueue(
    `https://user:pass-word@receiver.example/it's"quoted"<b>?token=query-token-value`,
    HOSTILE_PAYLOAD,
    {
      id: `evt_<script>"1"`,
      headers: { "x-api-key": "sekret-header-value" },
      endpoint: HOSTILE_ENDPOINT,
    },
  );
  await eventually(
    async () => (await queue.get(deadId))?.status === "dead",
    "the message is dead",
  );
  const { id: plainId } = await queue.enqueue(
    "https://receiver.example/plain",
    { ok: 1 },
  );
  await eventually(
    async () => (await queue.get(plainId))?.status === "delivered",
    "the plain message is delivered",
  );
  return { queue, deadId, plainId };
}
