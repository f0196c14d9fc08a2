import assert from "node:assert/strict";
import { VERSION } from "../../src/send/_version.ts";
import { runCli } from "./_cli.ts";

Deno.test("webhook-delivery --help lists the commands and the exit codes", async () => {
  for (const args of [["--help"], ["-h"], ["help"]]) {
    const result = await runCli(args);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /^Usage: webhook-delivery <command> \[options\]/,
    );
    for (const command of ["send <url>", "listen", "queue"]) {
      assert.ok(result.stdout.includes(`  ${command}`), command);
    }
    assert.match(
      result.stdout,
      /^ {2}0 {2}delivered, or the command succeeded$/m,
    );
    assert.match(
      result.stdout,
      /^ {2}1 {2}not delivered, not found, or the operation failed$/m,
    );
    assert.match(result.stdout, /^ {2}2 {2}usage error/m);
  }
});

Deno.test("webhook-delivery without a command, or with an unknown one, exits 2", async () => {
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: webhook-delivery/);
  const unknown = await runCli(["deliver"]);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    'webhook-delivery: unknown command "deliver"\nRun webhook-delivery --help for usage.\n',
  );
});

Deno.test("webhook-delivery --version prints the package version", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
});
