// A local webhook receiver for the Node test suite, on node:http alone.
import { Buffer } from "node:buffer";
import { once } from "node:events";
import http from "node:http";

/**
 * Starts a receiver on 127.0.0.1, port 0. Request `i` gets `replies[i]`, and
 * requests past the end get the last reply: a status code, `"hang"` to
 * never answer, or `"stall"` / `"stall-chunked"` to send a 200's headers and
 * then stall its body. Close it with `close()` (a `t.after` hook).
 */
export async function startReceiver(replies) {
  const requests = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        method: request.method,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const reply = replies[Math.min(requests.length, replies.length) - 1];
      if (reply === "hang") return;
      if (reply === "stall" || reply === "stall-chunked") {
        // Headers, then the start of a body that never ends; "stall" gives a
        // content-length, "stall-chunked" streams without one.
        const length = reply === "stall" ? { "content-length": "100" } : {};
        response.writeHead(200, { "content-type": "text/plain", ...length });
        response.write("partial");
        return;
      }
      response.writeHead(reply, { "content-type": "text/plain" });
      response.end(`status ${reply}`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    requests,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A port on 127.0.0.1 where nothing listens: it was free a moment ago. */
export async function closedPort() {
  const server = http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
