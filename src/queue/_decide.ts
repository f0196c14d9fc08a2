import { ENDINGS } from "../send/_endings.ts";
import type { AttemptStep } from "../send/_sender.ts";
import type { AttemptDecision } from "./store.ts";

/** What the store is told after one attempt, and how the endpoint fared. */
export interface Decision {
  decision: AttemptDecision;
  /** `failure` counts toward the circuit breaker; `success` closes it. */
  health: "success" | "failure" | "none";
  /** A `410 Gone`: the receiver asks for no more. */
  gone: boolean;
}

/**
 * Turns the sender's step into the store's decision: a delivery goes
 * `delivered`, a retry is scheduled by the store, an abort (the queue is
 * closing) puts the message back uncounted, and every other ending is
 * final, with a reason a person can act on.
 */
export function decide(step: AttemptStep, now: number): Decision {
  const { attempt, ending } = step;
  if (ending === undefined) {
    return {
      decision: { type: "retry", at: now + (attempt?.retryInMs ?? 0) },
      health: "failure",
      gone: false,
    };
  }
  if (ending === "delivered") {
    return { decision: { type: "delivered" }, health: "success", gone: false };
  }
  if (ending === "aborted") {
    return { decision: { type: "release" }, health: "none", gone: false };
  }
  const error = step.error ?? attempt?.error;
  const detail = error
    ? `${error.kind}: ${error.message}`
    : `status ${attempt?.status}`;
  return {
    decision: {
      type: "dead",
      reason: `${ENDINGS[ending].message} (${detail})`,
    },
    health: ending === "exhausted" ? "failure" : attempt ? "success" : "none",
    gone: attempt?.status === 410,
  };
}
