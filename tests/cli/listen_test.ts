import assert from "node:assert/strict";
import { VECTORS } from "../_signing.ts";
import { runCli, startListener } from "./_cli.ts";

const SECRET = VECTORS[0].secret;
const OTHER = VECTORS[1].secret;

Deno.test("listen prints a delivery from send and verifies its signature", async () => {
  await using listener = await startListener(["--secret", SECRET]);
  const sent = await runCli([
    "send",
    `${listener.url}hooks/in`,
    "--data",
    '{"event_type":"task.completed","task_id":"task_42"}',
    "--secret",
    SECRET,
    "--id",
    "evt_listen",
  ]);
  assert.equal(sent.code, 0, sent.stdout + sent.stderr);
  await listener.waitForOutput("signature:");
  // Ctrl-C stops it cleanly.
  const { code, stdout, stderr } = await listener.stop("SIGINT");
  assert.equal(code, 0);
  assert.match(stdout, /^#1 \S+ POST \/hooks\/in -> 204$/m);
  assert.match(stdout, /^ {2}webhook-id: evt_listen$/m);
  assert.match(stdout, /^ {2}content-type: application\/json$/m);
  assert.match(stdout, /^ {2}signature: verified$/m);
  // The body, pretty-printed.
  assert.ok(
    stdout.includes(
      '  {\n    "event_type": "task.completed",\n    "task_id": "task_42"\n  }',
    ),
    stdout,
  );
  assert.match(stderr, /Stopped after 1 request/);
});

Deno.test("listen --json reports a tampered body, a wrong secret and a missing signature with the reason", async () => {
  await using listener = await startListener(["--secret", SECRET, "--json"]);
  assert.equal(
    (await runCli([
      "send",
      listener.url,
      "--data",
      '{"amount":1}',
      "--secret",
      SECRET,
    ])).code,
    0,
  );
  await listener.waitForOutput("\n", 1);
  const first = JSON.parse(listener.stdout().split("\n")[0]!);
  assert.deepEqual(first.signature, { verified: true });
  assert.deepEqual(first.body, { amount: 1 });
  assert.equal(first.method, "POST");
  assert.equal(first.status, 204);

  // The same signed headers on another body: tampered.
  const headers = Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((
      name,
    ) => [name, first.headers[name]]),
  );
  const tampered = await fetch(listener.url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: '{"amount":1000}',
  });
  await tampered.body?.cancel();
  // Signed with another secret, and not signed at all.
  assert.equal(
    (await runCli(["send", listener.url, "--data", "{}", "--secret", OTHER]))
      .code,
    0,
  );
  assert.equal((await runCli(["send", listener.url, "--data", "{}"])).code, 0);

  await listener.waitForOutput("\n", 4);
  const records = listener.stdout().trim().split("\n").map((line) =>
    JSON.parse(line)
  );
  assert.deepEqual(
    records.map((r) => [r.number, r.signature.verified, r.signature.reason]),
    [[1, true, undefined], [2, false, "no_matching_signature"], [
      3,
      false,
      "no_matching_signature",
    ], [
      4,
      false,
      "missing_header",
    ]],
  );
  assert.deepEqual(records[1].body, { amount: 1000 });
  assert.match(
    records[3].signature.message,
    /webhook-id|webhook-signature|header/,
  );
  const { code } = await listener.stop();
  assert.equal(code, 0);
});

Deno.test("listen --respond 503,204 is what send's retries see", async () => {
  await using listener = await startListener(["--respond", "503,503,204"]);
  const sent = await runCli([
    "send",
    listener.url,
    "--data",
    "{}",
    "--retry-delay",
    "20ms",
    "--json",
  ]);
  assert.equal(sent.code, 0, sent.stderr);
  const result = JSON.parse(sent.stdout);
  assert.deepEqual(result.attempts.map((a: { status: number }) => a.status), [
    503,
    503,
    204,
  ]);
  // The last status repeats.
  const again = await fetch(listener.url, {
    method: "POST",
    body: "plain text",
  });
  assert.equal(again.status, 204);
  await again.body?.cancel();
  await listener.waitForOutput("-> 204", 2);
  const { stdout } = await listener.stop();
  assert.deepEqual(
    [...stdout.matchAll(/^#(\d) .* -> (\d+)$/gm)].map((m) => `${m[1]}:${m[2]}`),
    [
      "1:503",
      "2:503",
      "3:204",
      "4:204",
    ],
  );
  assert.match(stdout, /^ {2}plain text$/m);
});

Deno.test("listen --delay holds each answer", async () => {
  await using listener = await startListener([
    "--delay",
    "300ms",
    "--respond",
    "200",
  ]);
  const started = performance.now();
  const response = await fetch(listener.url, { method: "POST", body: "{}" });
  await response.body?.cancel();
  assert.equal(response.status, 200);
  // A lower bound only: the answer cannot come before the delay.
  assert.ok(performance.now() - started >= 290);
});

Deno.test("listen exits 1 when its port is taken, and 2 on usage errors", async () => {
  await using listener = await startListener([]);
  const port = new URL(listener.url).port;
  const taken = await runCli(["listen", "--port", port]);
  assert.equal(taken.code, 1);
  assert.match(
    taken.stderr,
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`),
  );
  for (
    const args of [
      ["listen", "--port", "70000"],
      ["listen", "--respond", "503,abc"],
      ["listen", "--respond", "99"],
      ["listen", "--delay", "later"],
      ["listen", "--secret", "whsec_!!"],
      ["listen", "extra"],
    ]
  ) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /^webhook-delivery: /);
  }
});

Deno.test("listen --help documents the default port, the options and the exit codes", async () => {
  const result = await runCli(["listen", "--help"]);
  assert.equal(result.code, 0);
  assert.match(
    result.stdout,
    /--port <n> +the port \(default 8788\); 0 picks a free one/,
  );
  for (const option of ["--secret", "--respond", "--delay", "--json"]) {
    assert.ok(result.stdout.includes(option), option);
  }
  assert.match(result.stdout, /Exit codes: 0/);
});

Deno.test("listen shows control characters of a request as escapes, so a request cannot drive the terminal", async () => {
  await using listener = await startListener([]);
  const response = await fetch(`${listener.url}hooks`, {
    method: "POST",
    headers: { "x-note": "plain" },
    body: "before\u001b]0;owned\u0007\u001b[2Jafter",
  });
  await response.body?.cancel();
  await listener.waitForOutput("after");
  const { stdout } = await listener.stop();
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(stdout), stdout);
  assert.match(stdout, /before\\u\{1b\}\]0;owned\\u\{7\}\\u\{1b\}\[2Jafter/);
});
