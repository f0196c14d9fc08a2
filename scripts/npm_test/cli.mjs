// The `webhook-delivery` bin, as npm installs it, runs on this runtime: its
// help, and a signed `send` into a node:http receiver.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { realpathSync, statSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { WebhookVerifier } from "@omoi/webhook-delivery/verify";
import { installedPackageJson } from "./_package.mjs";
import { startReceiver } from "./_receiver.mjs";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(
  new URL("./node_modules/.bin/webhook-delivery", import.meta.url),
);
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Runs the bin with this runtime; resolves its exit code and output. */
async function cli(args) {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, WEBHOOK_SECRET: "", NO_COLOR: "1" } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== "number") throw error;
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

describe("the webhook-delivery bin", () => {
  it("is declared in package.json and installed executable, with a shebang", () => {
    assert.deepEqual(installedPackageJson.bin, {
      "webhook-delivery": "./bin/webhook-delivery.mjs",
    });
    const target = realpathSync(BIN);
    assert.match(target, /bin[/\\]webhook-delivery\.mjs$/);
    assert.ok((statSync(target).mode & 0o111) !== 0, "executable");
  });

  it("prints its help with exit code 0, and exits 2 on an unknown command", async () => {
    const help = await cli(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: webhook-delivery <command>/);
    assert.match(help.stdout, /send <url>/);
    const sendHelp = await cli(["send", "--help"]);
    assert.equal(sendHelp.code, 0);
    assert.match(sendHelp.stdout, /--retries <n>/);
    const unknown = await cli(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });

  it("sends a signed webhook, retrying a 503, and prints the DeliveryResult", async (t) => {
    const receiver = await startReceiver([503, 204]);
    t.after(() => receiver.close());
    const result = await cli([
      "send",
      receiver.url,
      "--data",
      '{"event_type":"task.completed"}',
      "--secret",
      SECRET,
      "--retry-delay",
      "20ms",
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const delivery = JSON.parse(result.stdout);
    assert.equal(delivery.outcome, "delivered");
    assert.deepEqual(delivery.attempts.map((a) => a.status), [503, 204]);
    assert.match(
      result.stderr,
      /^attempt 1\/4: HTTP 503 .* next attempt in 20 ms$/m,
    );
    assert.equal(receiver.requests.length, 2);
    const [request] = receiver.requests;
    assert.deepEqual(JSON.parse(request.body), {
      event_type: "task.completed",
    });
    await new WebhookVerifier(SECRET).verify(request.body, request.headers);
    assert.doesNotMatch(result.stdout + result.stderr, /MfKQ9r8G/);
  });

  it("exits 1 when the receiver refuses the webhook", async (t) => {
    const receiver = await startReceiver([400]);
    t.after(() => receiver.close());
    const result = await cli(["send", receiver.url, "--data", "{}"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^not delivered \(rejected\)/m);
  });

  it("listens, verifies a signed send from the bin, and stops on SIGTERM", async (t) => {
    const child = spawn(process.execPath, [
      BIN,
      "listen",
      "--port",
      "0",
      "--secret",
      SECRET,
    ], {
      env: { ...process.env, WEBHOOK_SECRET: "", NO_COLOR: "1" },
    });
    t.after(() => child.kill("SIGKILL"));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text) => stdout += text);
    child.stderr.setEncoding("utf8").on("data", (text) => stderr += text);
    const until = async (check, what) => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        assert.ok(
          Date.now() < deadline,
          `timed out waiting for ${what}: ${stdout}${stderr}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(
      () => /Listening on http:\/\/127\.0\.0\.1:\d+\//.test(stderr),
      "the ready line",
    );
    const url = /Listening on (\S+\/)/.exec(stderr)[1];

    const sent = await cli([
      "send",
      `${url}hooks`,
      "--data",
      '{"n":1}',
      "--secret",
      SECRET,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    await until(() => stdout.includes("signature:"), "the request");
    assert.match(stdout, /^#1 \S+ POST \/hooks -> 204$/m);
    assert.match(stdout, /^ {2}signature: verified$/m);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(stderr, /Stopped after 1 request/);
  });
});
