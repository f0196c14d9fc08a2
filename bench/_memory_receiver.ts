/**
 * The receiver of `bench/memory.ts`, run as a child process so that its
 * sockets and memory are counted apart from the sender's: it holds every
 * `POST /hooks` unanswered until `POST /release`, and `GET /held` tells how
 * many it holds. Prints its port on the first line of stdout.
 *
 * @module
 */
let held = 0;
let release = Promise.withResolvers<void>();

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    const path = new URL(request.url).pathname;
    await request.arrayBuffer();
    if (path === "/held") return new Response(String(held));
    if (path === "/release") {
      release.resolve();
      release = Promise.withResolvers<void>();
      held = 0;
      return new Response(null, { status: 204 });
    }
    held++;
    await release.promise;
    return new Response("ok");
  },
);
console.log(server.addr.port);
