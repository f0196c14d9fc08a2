/**
 * What the benchmark files share: a local receiver, the payload, ky set up
 * like the service, and the number of iterations.
 *
 * @module
 */
import ky, { type KyInstance } from "ky";
import { DEFAULT_RETRY_DELAYS_MS, DEFAULT_TIMEOUT_MS } from "../mod.ts";

/** A local receiver for the benchmarks: keep-alive, tiny answers, 127.0.0.1. */
export interface BenchReceiver {
  /** `http://127.0.0.1:PORT/hooks` */
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: number;
}

/** What the receiver answers to one request. */
export interface BenchAnswer {
  status: number;
  body?: string;
}

/**
 * Starts a receiver on 127.0.0.1, port 0, that reads each request body and
 * answers `answer(n)` to the n-th request (from 1), by default `200 ok`. The
 * server is unref'd: it lives as long as the benchmarks and never keeps the
 * process alive on its own.
 */
export function startReceiver(
  answer: (request: number) => BenchAnswer = () => OK,
): BenchReceiver {
  let requests = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      await request.arrayBuffer();
      const { status, body } = answer(++requests);
      return new Response(body ?? null, { status });
    },
  );
  server.unref();
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks`,
    get requests() {
      return requests;
    },
  };
}

const OK: BenchAnswer = { status: 200, body: "ok" };

/** A task event of a busy system, the kind of payload deliveries carry. */
export const EVENT = {
  event_type: "task.completed",
  timestamp: "2026-11-28T12:00:00.000Z",
  project_id: "proj_7f3a",
  ticket_id: "TICKET-42",
  task_id: "task_7f3a91c2",
  agent_id: "agent_builder_1",
  data: { status: "completed", duration_seconds: 184, files_changed: 3 },
};

/**
 * `deno bench bench/ -- --smoke` runs every case a few times only: enough to
 * show the suite still works (CI), far too few to measure anything.
 */
export const SMOKE: boolean = Deno.args.includes("--smoke");

/**
 * Iteration settings of a case: many, since these machines are noisy, or a
 * handful in a smoke run.
 */
export function iterations(
  n: number,
  warmup: number,
): { n: number; warmup: number } {
  return SMOKE ? { n: 3, warmup: 1 } : { n, warmup };
}

/** How `kyLikeTheService` is set up; each field as the service option. */
export interface KySetup {
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

const SERVER_ERRORS = Array.from({ length: 100 }, (_, index) => 500 + index);

/**
 * ky set up to do what a `WebhookDeliveryService` with the same options does:
 * one retry per entry of `retryDelaysMs`, after that delay, on any 5xx
 * (honouring `Retry-After` up to 60 s), on timeouts and on network errors;
 * `timeoutMs` per attempt; redirects not followed. By default the service's
 * defaults: 4 attempts, 1 s, 2 s and 4 s apart, 10 s each.
 */
export function kyLikeTheService(setup: KySetup = {}): KyInstance {
  const {
    retryDelaysMs = DEFAULT_RETRY_DELAYS_MS,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = setup;
  return ky.create({
    timeout: timeoutMs,
    redirect: "manual",
    retry: {
      limit: retryDelaysMs.length,
      methods: ["post"],
      statusCodes: SERVER_ERRORS,
      afterStatusCodes: SERVER_ERRORS,
      maxRetryAfter: 60_000,
      retryOnTimeout: true,
      delay: (attempt) => retryDelaysMs[attempt - 1] ?? 0,
    },
  });
}
