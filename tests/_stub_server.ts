/** What the stub answers to one request. */
export interface StubReply {
  /** @default {200} */
  status?: number;
  headers?: Record<string, string>;
  /** @default {""} */
  body?: string;
  /** Never answer; the request hangs until the client gives up. */
  hang?: true;
  /** Send the status and headers, then never send the body. */
  stallBody?: true;
  /** Send the start of a body, then break the connection. */
  reset?: true;
  /** Stream this many bytes of body; `Infinity` never ends. */
  streamBytes?: number;
}

/** A request as the stub received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** A local HTTP server that answers a script of replies and records requests. */
export interface StubServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/hook` */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  /** Bytes of streamed bodies sent, and whether the client cancelled one. */
  readonly streamed: { bytes: number; cancelled: boolean };
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
}

const CHUNK = new Uint8Array(64 * 1024).fill(120);

/**
 * Starts a stub on 127.0.0.1, port 0. Request `i` gets `replies[i]`; requests
 * past the end of the script get its last reply. Close it with `await using`.
 */
export function startStubServer(
  replies: readonly StubReply[] = [{}],
): StubServer {
  const requests: RecordedRequest[] = [];
  const streamed = { bytes: 0, cancelled: false };
  const waiters: { count: number; resolve: () => void }[] = [];
  const closing = Promise.withResolvers<void>();
  const openStreams = new Set<ReadableStreamDefaultController<Uint8Array>>();

  const closeStreamOnShutdown = (
    controller: ReadableStreamDefaultController<Uint8Array>,
  ) => {
    openStreams.add(controller);
  };

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const reply = replies[Math.min(requests.length, replies.length - 1)] ??
        {};
      requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.text(),
      });
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }

      const init: ResponseInit = {
        status: reply.status ?? 200,
        headers: reply.headers ?? {},
      };
      if (reply.hang) {
        await closing.promise;
        return new Response(null, { status: 504 });
      }
      if (reply.stallBody) {
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("{"));
              closeStreamOnShutdown(controller);
            },
          }),
          init,
        );
      }
      if (reply.reset) {
        // A body shorter than its content-length: the server closes the
        // connection mid-body, as a crashing receiver would, without an
        // error of its own to print.
        const start = new TextEncoder().encode('{"partial":');
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(start);
            controller.close();
          },
        });
        return new Response(body, {
          ...init,
          headers: { ...reply.headers, "content-length": "100" },
        });
      }
      if (reply.streamBytes !== undefined) {
        let remaining = reply.streamBytes;
        return new Response(
          new ReadableStream<Uint8Array>({
            start: closeStreamOnShutdown,
            pull(controller) {
              if (remaining <= 0) {
                openStreams.delete(controller);
                controller.close();
                return;
              }
              const chunk = CHUNK.subarray(
                0,
                Math.min(CHUNK.length, remaining),
              );
              remaining -= chunk.length;
              streamed.bytes += chunk.length;
              controller.enqueue(chunk);
            },
            cancel() {
              streamed.cancelled = true;
            },
          }),
          init,
        );
      }
      const nullBody = [101, 204, 205, 304].includes(init.status ?? 200);
      return new Response(nullBody ? null : reply.body ?? "", init);
    },
  );

  const port = server.addr.port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    streamed,
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ count, resolve });
      return promise;
    },
    async [Symbol.asyncDispose]() {
      closing.resolve();
      for (const controller of openStreams) {
        try {
          controller.close();
        } catch {
          // Already closed or cancelled by the client.
        }
      }
      await server.shutdown();
    },
  };
}

/** A local port that nothing listens on: bound, then released. */
export function unusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
