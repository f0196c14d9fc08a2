import assert from "node:assert/strict";
import {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_TIMEOUT_MS,
} from "../mod.ts";
import {
  TESTED_BUN_VERSION,
  TESTED_NODE_VERSIONS,
} from "../scripts/build_npm/runtimes.ts";
import pg from "pg";
import { postgresUrl } from "./postgres/_postgres.ts";
import { runCli } from "./cli/_cli.ts";
import { startStubServer } from "./_stub_server.ts";

const ROOT = new URL("..", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", ROOT));

/** Runs `code` with `deno run` from the repository root, piped through stdin. */
async function runDeno(
  args: string[],
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; lines: string[] }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...args, "-"],
    cwd: ROOT,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdin = child.stdin.getWriter();
  await stdin.write(new TextEncoder().encode(code));
  await stdin.close();
  const output = await child.output();
  return {
    code: output.code,
    lines: new TextDecoder().decode(output.stdout).split("\n"),
  };
}

/**
 * The README's `deno.json` for a project next to a clone, as a data: URL
 * import map whose `../webhook-delivery/` is this repository.
 */
function readmeImportMap(): string {
  const json = /^```json\n(\{\n {2}"imports"[^]*?)^```$/m.exec(readme)?.[1];
  assert.ok(json, "README.md has a deno.json block with imports");
  const map = JSON.parse(json.replaceAll('"../webhook-delivery/', `"${ROOT}`));
  assert.deepEqual(Object.keys(map.imports), [
    "@omoi/webhook-delivery",
    "@omoi/webhook-delivery/sqlite",
    "@omoi/webhook-delivery/verify",
  ]);
  return `data:application/json,${encodeURIComponent(JSON.stringify(map))}`;
}

Deno.test("the README's Deno example delivers the event and says so, with the README's import map", async () => {
  const example = /^```ts ignore\n(\/\/ notify\.ts:[^]*?)^```$/m.exec(readme)
    ?.[1];
  assert.ok(example, "README.md has a block that starts with // notify.ts:");
  await using server = startStubServer([{ status: 200 }]);

  // Without this repository's deno.json, only the README's map can resolve
  // the package's name.
  const { code, lines } = await runDeno(
    [
      "--no-config",
      `--import-map=${readmeImportMap()}`,
      "--allow-net=127.0.0.1",
      "--allow-env=WEBHOOK_URL",
    ],
    example,
    { WEBHOOK_URL: server.url },
  );

  assert.equal(code, 0);
  const [log, said, ...rest] = lines;
  assert.equal(JSON.parse(log ?? "").msg, "Webhook delivered");
  assert.equal(said, "delivered");
  assert.deepEqual(rest, [""]);
  assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ""), {
    event_type: "task.completed",
    task_id: "task_42",
  });
});

Deno.test("the README's import map resolves the ./verify entry point", async () => {
  const { code, lines } = await runDeno(
    ["--no-config", `--import-map=${readmeImportMap()}`],
    `import { WebhookVerifier } from "@omoi/webhook-delivery/verify";
console.log(typeof WebhookVerifier);`,
  );

  assert.equal(code, 0);
  assert.deepEqual(lines, ["function", ""]);
});

Deno.test("the README's send() example prints what its comments say, and logs to standard output", async () => {
  const section = readme.slice(readme.indexOf("## Send a webhook"));
  const example = /^```ts\n([^]*?)^```$/m.exec(section)?.[1];
  assert.ok(example, "README.md has a ts block under ## Send a webhook");
  const promised = [...example.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)]
    .map(([, comment]) => comment);

  const { code, lines } = await runDeno(["--allow-net=127.0.0.1"], example);

  assert.equal(code, 0);
  const logs = lines.filter((line) => line.startsWith("{"));
  const printed = lines.filter((line) => line !== "" && !line.startsWith("{"));
  assert.deepEqual(printed, promised);
  assert.deepEqual(logs.map((line) => JSON.parse(line).level), [
    "warn",
    "info",
  ]);
});

Deno.test("the README's queue example delivers through a SQLite file and prints what its comment says", async () => {
  const section = readme.slice(
    readme.indexOf("## Queue webhooks in a service"),
  );
  const example = /^```ts\n([^]*?)^```$/m.exec(section)?.[1];
  assert.ok(
    example,
    "README.md has a ts block under ## Queue webhooks in a service",
  );

  const { code, lines } = await runDeno(
    ["--allow-net=127.0.0.1", "--allow-read", "--allow-write"],
    example,
  );

  assert.equal(code, 0);
  const printed = lines.filter((line) => line !== "" && !line.startsWith("{"));
  assert.deepEqual(printed, ["delivered"]);
  const logs = lines.filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line)
  );
  assert.deepEqual(logs.map((record) => record.msg), ["Webhook delivered"]);
});

Deno.test("the README's PostgreSQL example stores the webhook with the change, in one transaction, and delivers it", async () => {
  const section = readme.slice(
    readme.indexOf("## More than one machine: PostgreSQL"),
  );
  const example = /^```ts ignore\n(\/\/ outbox\.ts:[^]*?)^```$/m.exec(section)
    ?.[1];
  assert.ok(example, "README.md has a block that starts with // outbox.ts:");
  await using server = startStubServer([{ status: 204 }]);
  // A database of its own, so that neither its table nor its queue's
  // schema meets another test's.
  const admin = new pg.Client({ connectionString: await postgresUrl() });
  await admin.connect();
  const database = `readme_${crypto.randomUUID().replaceAll("-", "")}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(await postgresUrl());
  url.pathname = `/${database}`;
  try {
    const { code, lines } = await runDeno(["-A"], example, {
      DATABASE_URL: url.href,
      WEBHOOK_URL: server.url,
    });

    assert.equal(code, 0);
    const printed = lines.filter((line) =>
      line !== "" && !line.startsWith("{")
    );
    assert.deepEqual(printed, ["delivered"]);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(JSON.parse(server.requests[0]?.body ?? ""), {
      event_type: "task.completed",
      task_id: "task_42",
    });
    const check = new pg.Client({ connectionString: url.href });
    await check.connect();
    try {
      const tasks = await check.query("SELECT id, state FROM tasks");
      assert.deepEqual(tasks.rows, [{ id: "task_42", state: "done" }]);
      const messages = await check.query(
        "SELECT status FROM webhook_delivery.webhook_messages",
      );
      assert.deepEqual(messages.rows, [{ status: "delivered" }]);
    } finally {
      await check.end();
    }
  } finally {
    await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin.end();
  }
});

Deno.test("the README's worst-case duration of one delivery follows from the defaults", () => {
  const attempts = DEFAULT_RETRY_DELAYS_MS.length + 1;
  const waits = DEFAULT_RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
  const hanging = attempts * DEFAULT_TIMEOUT_MS + waits;
  const retryAfter = attempts * DEFAULT_TIMEOUT_MS +
    DEFAULT_RETRY_DELAYS_MS.length *
      Math.max(DEFAULT_MAX_RETRY_AFTER_MS, ...DEFAULT_RETRY_DELAYS_MS);

  assert.equal(hanging, 47_000);
  assert.equal(retryAfter, 220_000);
  assert.match(readme, /= \*\*47 s\*\*/);
  assert.match(readme, /\*\*220 s\*\* at most/);
  assert.match(readme, /up to\n?\s*`maxRetryAfterMs` \(60 s\)/);
});

Deno.test("the README's runtimes table and CONTRIBUTING.md name the versions build:npm tests on", async () => {
  const runtimes = readme.slice(
    readme.indexOf("## Runtimes"),
    readme.indexOf("\n## ", readme.indexOf("## Runtimes") + 1),
  );
  const contributing = await Deno.readTextFile(
    new URL("CONTRIBUTING.md", ROOT),
  );
  const { version } = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );

  for (const tested of [...TESTED_NODE_VERSIONS, TESTED_BUN_VERSION]) {
    assert.ok(runtimes.includes(tested), `README's runtimes lack ${tested}`);
    assert.ok(contributing.includes(tested), `CONTRIBUTING.md lacks ${tested}`);
  }
  assert.match(readme, new RegExp(`version ${version.replaceAll(".", "\\.")}`));
  assert.ok(readme.includes(`omoi-webhook-delivery-${version}.tgz`));
});

Deno.test("the README's command lines name real commands and options, and the default ports they claim", async () => {
  const section = readme.slice(readme.indexOf("## Operate it"));
  const block = /^```sh\n([^]*?)^```$/m.exec(section)?.[1];
  assert.ok(block, "README.md has a sh block under ## Operate it");
  const commands = block.split("\n").filter((line) => line !== "").map(
    (line) => line.replace(/#.*$/, "").trim(),
  );
  assert.equal(commands.length, 5);
  for (const command of commands) {
    assert.ok(command.startsWith("deno task cli "), command);
    const args = [
      ...command.slice("deno task cli ".length).matchAll(
        /'([^']*)'|(\S+)/g,
      ),
    ].map(([, quoted, bare]) => quoted ?? bare!);
    // --help after the real arguments: parsing still rejects any unknown
    // command or option, and nothing listens, sends or opens a file.
    const { code, stdout } = await runCli([...args, "--help"]);
    assert.equal(code, 0, `${command}\n${stdout}`);
    if (args[0] === "listen") assert.match(stdout, /8788/);
    if (args[1] === "serve") assert.match(stdout, /8787/);
  }
});
