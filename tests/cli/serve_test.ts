import assert from "node:assert/strict";
import { SqliteStore } from "../../src/stores/sqlite/sqlite_store.ts";
import { CLI, runCli } from "./_cli.ts";
import { fillQueue, startFixtureReceiver } from "./_queue_fixture.ts";

const TOKEN = "serve-test-token-0123456789";

/** `queue serve` as a child process, once its ready line is out. */
async function startServe(args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      CLI,
      "queue",
      "serve",
      "--port",
      "0",
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", WEBHOOK_DASHBOARD_TOKEN: "", ...env },
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  while (!/Dashboard on (\S+);/.test(stderr)) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`queue serve ended before its ready line:\n${stderr}`);
    }
    stderr += value;
  }
  const url = /Dashboard on (\S+);/.exec(stderr)![1]!;
  return {
    url,
    stderr: () => stderr,
    async stop(): Promise<{ code: number; stderr: string; stdout: string }> {
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += value;
      }
      const { code } = await child.status;
      return { code, stderr, stdout: await stdout };
    },
  };
}

async function withQueueFile(test: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "webhook-cli-serve-" });
  const path = `${dir}/queue.db`;
  await using receiver = startFixtureReceiver();
  try {
    await fillQueue(() => new SqliteStore({ path }), receiver.origin);
    await test(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("queue serve shows the SQLite file's queue to a holder of the token and refuses anyone else; SIGTERM stops it with 0", async () => {
  await withQueueFile(async (path) => {
    const server = await startServe(["--sqlite", path], {
      WEBHOOK_DASHBOARD_TOKEN: TOKEN,
    });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const refused = await fetch(new URL("api/stats", server.url));
      await refused.body?.cancel();
      assert.equal(refused.status, 401);

      const stats = await fetch(new URL("api/stats", server.url), {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(stats.status, 200);
      const counts = await stats.json();
      assert.equal(counts.delivered, 1);
      assert.equal(counts.dead, 2);
      assert.equal(counts.pending, 1);

      const page = await fetch(new URL("messages?status=dead", server.url), {
        headers: { authorization: `Bearer ${TOKEN}`, accept: "text/html" },
      });
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /evt_dead_1/);
      assert.doesNotMatch(server.stderr(), new RegExp(TOKEN));
    } finally {
      const { code, stderr } = await server.stop();
      assert.equal(code, 0, stderr);
      assert.match(stderr, /Stopped/);
    }
  });
});

Deno.test("queue serve without a token makes one, prints it once, and only that one opens the dashboard", async () => {
  await withQueueFile(async (path) => {
    const server = await startServe(["--sqlite", path, "--base-path", "/ops"]);
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/ops$/);
      const token =
        /Log in with this token \(made for this run\): ([0-9a-f]{48})/
          .exec(server.stderr())?.[1];
      assert.ok(token, server.stderr());
      const stats = await fetch(`${server.url}/api/stats`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await stats.body?.cancel();
      assert.equal(stats.status, 200);
      const wrong = await fetch(`${server.url}/api/stats`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      await wrong.body?.cancel();
      assert.equal(wrong.status, 401);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });
});

Deno.test("queue serve refuses a short token and a bad port with exit code 2, and has --help", async () => {
  await withQueueFile(async (path) => {
    const short = await runCli([
      "queue",
      "serve",
      "--sqlite",
      path,
      "--token",
      "short",
    ]);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /--token must be at least 16 characters/);
    const port = await runCli([
      "queue",
      "serve",
      "--sqlite",
      path,
      "--port",
      "70000",
    ]);
    assert.equal(port.code, 2);
    const help = await runCli(["queue", "serve", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: webhook-delivery queue serve/);
    assert.match(help.stdout, /WEBHOOK_DASHBOARD_TOKEN/);
  });
});

Deno.test("queue serve --secure-cookie marks the login cookie Secure, for a proxy that ends TLS", async () => {
  await withQueueFile(async (path) => {
    const server = await startServe(["--sqlite", path, "--secure-cookie"], {
      WEBHOOK_DASHBOARD_TOKEN: TOKEN,
    });
    try {
      const login = await fetch(new URL("login", server.url), {
        method: "POST",
        body: new URLSearchParams({ token: TOKEN }),
        redirect: "manual",
      });
      await login.body?.cancel();
      assert.equal(login.status, 303);
      assert.match(login.headers.get("set-cookie") ?? "", /; Secure/);
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });
});
