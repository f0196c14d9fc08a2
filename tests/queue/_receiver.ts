/** A request as the receiver saw it. */
export interface Received {
  path: string;
  headers: Headers;
  body: string;
  /** `performance.now()` when it arrived. */
  at: number;
}

/** A local receiver whose answer a test decides per request, counting concurrency per path. */
export interface Receiver extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly received: Received[];
  /** The most requests that were in flight at once, per path. */
  readonly maxConcurrent: Map<string, number>;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
}

/**
 * Answers each request with what `answer` returns (204 by default); an
 * answer may wait, and its `signal` fires when the receiver closes.
 */
export function startReceiver(
  answer: (
    request: Received,
    signal: AbortSignal,
  ) => Promise<Response> | Response = () => new Response(null, { status: 204 }),
): Receiver {
  const received: Received[] = [];
  const concurrent = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const closing = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      const now = (concurrent.get(path) ?? 0) + 1;
      concurrent.set(path, now);
      maxConcurrent.set(path, Math.max(now, maxConcurrent.get(path) ?? 0));
      try {
        const entry = {
          path,
          headers: request.headers,
          body: await request.text(),
          at: performance.now(),
        };
        received.push(entry);
        for (const waiter of waiters) {
          if (received.length >= waiter.count) waiter.resolve();
        }
        return await answer(entry, closing.signal);
      } catch {
        return new Response(null, { status: 503 });
      } finally {
        concurrent.set(path, concurrent.get(path)! - 1);
      }
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    received,
    maxConcurrent,
    waitFor(count) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async [Symbol.asyncDispose]() {
      closing.abort();
      await server.shutdown();
    },
  };
}

/** Resolves after `ms`, or when `signal` fires. */
export function hold(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Polls `check` every 5 ms until it returns true; fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
