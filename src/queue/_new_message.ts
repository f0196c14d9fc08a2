import { safeGet } from "../_shared/_safe_text.ts";
import type { Sender } from "../send/_sender.ts";
import type { NewMessage } from "./store.ts";

/**
 * Checks one message as `send()` would and builds what the store keeps, or
 * throws: a `RangeError` for a payload over `maxPayloadBytes`, a
 * `TypeError` for anything else that cannot be sent. Nothing invalid is
 * stored.
 */
export function newMessage(
  sender: Sender,
  url: string | URL,
  payload: unknown,
  options: unknown,
  now: number,
): NewMessage {
  const endpoint = safeGet(options, "endpoint");
  if (
    endpoint !== undefined &&
    (typeof endpoint !== "string" || endpoint === "" || endpoint.length > 512)
  ) {
    throw new TypeError(
      "The endpoint must be a string of 1 to 512 characters",
    );
  }
  const delivery = sender.prepare(url, payload, {
    id: safeGet(options, "id"),
    headers: safeGet(options, "headers"),
  });
  if (delivery.error) {
    const { kind, message } = delivery.error;
    const tooLarge = kind === "invalid_payload" &&
      message.includes("'maxPayloadBytes'");
    throw new (tooLarge ? RangeError : TypeError)(message);
  }
  const parsed = new URL(delivery.url);
  return {
    id: delivery.id,
    url: delivery.url,
    loggedUrl: delivery.loggedUrl,
    endpoint: endpoint ?? parsed.origin + parsed.pathname,
    body: delivery.json,
    headers: { ...delivery.headers },
    createdAt: now,
  };
}
