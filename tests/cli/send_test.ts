import assert from "node:assert/strict";
import { startStubServer } from "../_stub_server.ts";
import { VECTORS } from "../_signing.ts";
import { WebhookVerifier } from "../../src/verify/webhook_verifier.ts";
import { runCli } from "./_cli.ts";

const SECRET = VECTORS[0].secret;

Deno.test("send --data POSTs the JSON with the headers, signs it, and exits 0", async () => {
  await using stub = startStubServer([{ status: 204 }]);
  const result = await runCli([
    "send",
    stub.url,
    "--data",
    '{"event_type":"task.completed","n":1}',
    "--secret",
    SECRET,
    "--header",
    "x-tenant: acme",
    "--header",
    "x-token:s3cr3t-value",
    "--id",
    "evt_1",
  ]);
  assert.deepEqual(result.code, 0, result.stderr);
  assert.deepEqual(stub.requests.length, 1);
  const [request] = stub.requests;
  assert.deepEqual(request!.method, "POST");
  assert.deepEqual(JSON.parse(request!.body), {
    event_type: "task.completed",
    n: 1,
  });
  assert.deepEqual(request!.headers.get("x-tenant"), "acme");
  assert.deepEqual(request!.headers.get("x-token"), "s3cr3t-value");
  assert.deepEqual(request!.headers.get("webhook-id"), "evt_1");
  await new WebhookVerifier(SECRET).verify(request!.body, request!.headers);
  assert.match(
    result.stdout,
    /^attempt 1\/4: HTTP 204 in \d+ ms - delivered$/m,
  );
  assert.match(result.stdout, /^delivered evt_1 after 1 attempt in /m);
  // Neither the secret nor a header value is printed.
  for (const text of [result.stdout, result.stderr]) {
    assert.doesNotMatch(text, /MfKQ9r8G|s3cr3t-value|acme/);
  }
});

Deno.test("send retries a 503, prints one line per attempt, and --json prints the DeliveryResult", async () => {
  await using stub = startStubServer([{ status: 503, body: "warming up" }, {
    status: 200,
  }]);
  const result = await runCli([
    "send",
    stub.url,
    "--data",
    "[1,2]",
    "--retry-delay",
    "50ms",
    "--json",
  ]);
  assert.deepEqual(result.code, 0, result.stderr);
  assert.deepEqual(stub.requests.length, 2);
  const delivery = JSON.parse(result.stdout);
  assert.deepEqual(delivery.ok, true);
  assert.deepEqual(delivery.outcome, "delivered");
  assert.deepEqual(delivery.attempts.map((a: { status: number }) => a.status), [
    503,
    200,
  ]);
  assert.deepEqual(delivery.attempts[0].retryInMs, 50);
  // Not a terminal: plain lines, no countdown, on stderr beside --json.
  const lines = result.stderr.trim().split("\n");
  assert.deepEqual(lines.length, 2, result.stderr);
  assert.match(
    lines[0]!,
    /^attempt 1\/4: HTTP 503 in \d+ ms - next attempt in 50 ms$/,
  );
  assert.match(lines[1]!, /^attempt 2\/4: HTTP 200 in \d+ ms - delivered$/);
  assert.ok(
    !result.stderr.includes("\r") && !result.stderr.includes("\u001b"),
    "no cursor control",
  );
});

Deno.test("send exits 1 when the receiver keeps failing, after --retries retries", async () => {
  await using stub = startStubServer([{ status: 500 }]);
  const result = await runCli([
    "send",
    stub.url,
    "--data",
    "{}",
    "--retries",
    "1",
    "--retry-delay",
    "10ms",
  ]);
  assert.deepEqual(result.code, 1, result.stderr);
  assert.deepEqual(stub.requests.length, 2);
  assert.match(
    result.stdout,
    /^attempt 2\/2: HTTP 500 in \d+ ms - exhausted$/m,
  );
  assert.match(result.stdout, /^not delivered \(exhausted\) after 2 attempts/m);
});

Deno.test("send exits 1 on a 4xx without retrying, with --json too", async () => {
  await using stub = startStubServer([{ status: 404 }]);
  const result = await runCli(["send", stub.url, "--data", "{}", "--json"]);
  assert.deepEqual(result.code, 1);
  assert.deepEqual(stub.requests.length, 1);
  const delivery = JSON.parse(result.stdout);
  assert.deepEqual([delivery.ok, delivery.outcome], [false, "rejected"]);
});

Deno.test("send reads the payload from --file and from standard input", async () => {
  await using stub = startStubServer([{ status: 204 }]);
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, '{"from":"file"}');
    assert.deepEqual(
      (await runCli(["send", stub.url, "--file", file])).code,
      0,
    );
    assert.deepEqual(
      (await runCli(["send", stub.url], { stdin: '{"from":"stdin"}\n' })).code,
      0,
    );
  } finally {
    await Deno.remove(file);
  }
  assert.deepEqual(stub.requests.map((r) => JSON.parse(r.body)), [
    { from: "file" },
    { from: "stdin" },
  ]);
});

Deno.test("send takes the secret from WEBHOOK_SECRET", async () => {
  await using stub = startStubServer([{ status: 204 }]);
  const result = await runCli(["send", stub.url, "--data", "{}"], {
    env: { WEBHOOK_SECRET: SECRET },
  });
  assert.deepEqual(result.code, 0);
  const [request] = stub.requests;
  await new WebhookVerifier(SECRET).verify(request!.body, request!.headers);
});

Deno.test("send exits 2 on usage errors, saying what is wrong, and sends nothing", async () => {
  await using stub = startStubServer([{ status: 204 }]);
  const cases: [string[], RegExp][] = [
    [["send"], /send needs a <url>/],
    [
      ["send", stub.url, "--data", "{not json"],
      /payload from --data is not JSON/,
    ],
    [["send", stub.url, "--data", "{}", "--file", "x.json"], /not both/],
    [
      ["send", stub.url, "--data", "{}", "--retries", "many"],
      /--retries must be an integer/,
    ],
    [
      ["send", stub.url, "--data", "{}", "--timeout", "soon"],
      /--timeout must be a duration/,
    ],
    [
      ["send", stub.url, "--data", "{}", "--header", "novalue"],
      /--header must be name:value/,
    ],
    [["send", stub.url, "--data", "{}", "--bogus"], /Unknown option '--bogus'/],
    [["send", "not a url", "--data", "{}"], /not delivered \(invalid\)/],
    [["send", stub.url], /standard input was empty/],
    [
      ["send", stub.url, "--file", "/nonexistent/x.json"],
      /--file cannot be read/,
    ],
    [["send", stub.url, "--data", "{}", "--secret", "short"], /secret/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.deepEqual(
      result.code,
      2,
      `${args.join(" ")}: ${result.stdout}${result.stderr}`,
    );
    assert.match(result.stdout + result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  assert.deepEqual(stub.requests.length, 0);
});

Deno.test("send --help documents the options and exit codes", async () => {
  const result = await runCli(["send", "--help"]);
  assert.deepEqual(result.code, 0);
  for (
    const option of [
      "--data",
      "--file",
      "--secret",
      "--header",
      "--timeout",
      "--retries",
      "--json",
    ]
  ) {
    assert.ok(result.stdout.includes(option), option);
  }
  assert.match(
    result.stdout,
    /Exit codes: 0 delivered, 1 not delivered, 2 usage error/,
  );
});
