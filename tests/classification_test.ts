/**
 * How failures are named: a network error's kind comes from the codes of its
 * cause chain before any message, and never from words of the URL; a
 * runtime's permission denial ends a delivery at once; options and clocks
 * that would silently change behaviour are refused.
 */
import assert from "node:assert/strict";
import {
  type DeliveryResult,
  WebhookDeliveryService,
  WebhookVerifier,
} from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { sign, VECTORS } from "./_signing.ts";
import { startStubServer, unusedPort } from "./_stub_server.ts";

const MISLEADING_PATH =
  "/getaddrinfo/ECONNREFUSED/connection%20reset/tls/dns%20error/hook";

Deno.test("a refused connection is connection_refused whatever words its URL holds", async () => {
  const logger = captureLogger();
  const service = new WebhookDeliveryService({ logger, retryDelaysMs: [] });

  const result = await service.send(
    `http://127.0.0.1:${unusedPort()}${MISLEADING_PATH}?q=getaddrinfo`,
    {},
  );

  assert.equal(result.attempts[0]?.error?.kind, "connection_refused");
  assert.equal(logger.records[0]?.fields.errorKind, "connection_refused");
});

Deno.test("a live receiver's answer is its status whatever words its URL holds", async () => {
  await using server = startStubServer([{ status: 503 }]);
  const service = new WebhookDeliveryService({
    logger: captureLogger(),
    retryDelaysMs: [],
  });

  const result = await service.send(
    `http://127.0.0.1:${server.port}${MISLEADING_PATH}`,
    {},
  );

  assert.equal(result.outcome, "exhausted");
  assert.equal(result.attempts[0]?.status, 503);
  assert.equal(result.attempts[0]?.error, undefined);
});

const causeCodes: [string, string][] = [
  ["ECONNRESET", "connection_reset"],
  ["ECONNREFUSED", "connection_refused"],
  ["ENOTFOUND", "dns"],
  ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
];

for (const [code, kind] of causeCodes) {
  Deno.test(`a TypeError caused by ${code} is ${kind}, whatever the messages and URL say`, async () => {
    const service = new WebhookDeliveryService({
      logger: captureLogger(),
      retryDelaysMs: [],
      fetch: (url) =>
        Promise.reject(
          new TypeError("fetch failed", {
            cause: Object.assign(
              // Words of every other kind, in the message and in the URL.
              new Error(
                `getaddrinfo failed, connection refused, tls handshake for ${url}`,
              ),
              { code },
            ),
          }),
        ),
    });

    const result = await service.send(
      `http://getaddrinfo.example${MISLEADING_PATH}`,
      {},
    );

    assert.equal(result.attempts[0]?.error?.kind, kind);
  });
}

Deno.test("a TypeError without a code is named from its message, not its URL", async () => {
  const service = new WebhookDeliveryService({
    logger: captureLogger(),
    retryDelaysMs: [],
    fetch: (url) =>
      Promise.reject(
        new TypeError(`error sending request for url (${url}): oops`),
      ),
  });

  const result = await service.send(
    `http://getaddrinfo.example${MISLEADING_PATH}`,
    {},
  );

  assert.equal(result.attempts[0]?.error?.kind, "network");
});

const denials: [string, string][] = [
  [
    "NotCapable",
    'Requires net access to "example.com:443", run again with the --allow-net flag',
  ],
  ["PermissionDenied", 'Requires net access to "example.com:443"'],
];

for (const [name, message] of denials) {
  Deno.test(`a ${name} error from fetch ends at once as permission_denied`, async () => {
    const logger = captureLogger();
    let calls = 0;
    const service = new WebhookDeliveryService({
      logger,
      retryDelaysMs: [0, 0, 0],
      fetch: () => {
        calls++;
        return Promise.reject(Object.assign(new Error(message), { name }));
      },
    });

    const result = await service.send("https://example.com/hook", {});

    assert.equal(calls, 1);
    assert.equal(result.outcome, "invalid");
    assert.equal(result.attempts.length, 1);
    assert.equal(result.attempts[0]?.error?.kind, "permission_denied");
    assert.match(result.attempts[0]?.error?.message ?? "", /--allow-net/);
    assert.deepEqual(
      logger.records.map((r) => [r.level, r.fields.errorKind]),
      [["error", "permission_denied"]],
    );
  });
}

Deno.test("a real permission denial: a child without --allow-net ends at once as permission_denied", async () => {
  await using server = startStubServer();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "tests/_deliver_without_net.ts", server.url],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  });

  const { success, stdout, stderr } = await child.output();

  assert.ok(success, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout)) as DeliveryResult;
  assert.equal(result.outcome, "invalid");
  assert.equal(result.attempts.length, 1);
  assert.equal(result.attempts[0]?.error?.kind, "permission_denied");
  assert.match(result.attempts[0]?.error?.message ?? "", /--allow-net/);
  // Under the 1 s the first retry would wait: no retry was scheduled.
  assert.ok(result.durationMs < 1_000, `${result.durationMs} ms`);
  assert.equal(server.requests.length, 0);
});

const sparse: [string, unknown[]][] = [
  ["[, 10]", [, 10]],
  ["new Array(3)", new Array(3)],
  ["[0, , 0]", [0, , 0]],
];

for (const [name, retryDelaysMs] of sparse) {
  Deno.test(`a sparse retryDelaysMs ${name} is a RangeError at construction`, () => {
    assert.throws(
      () =>
        new WebhookDeliveryService({
          retryDelaysMs: retryDelaysMs as number[],
        }),
      (error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /'retryDelaysMs'/);
        assert.match(error.message, /<hole>/);
        return true;
      },
    );
  });
}

/** Headers signed, with `secret`, for a timestamp of 0: 1 January 1970. */
async function signedAt1970(
  secret: string,
  id: string,
  body: string,
): Promise<Record<string, string>> {
  return {
    "webhook-id": id,
    "webhook-timestamp": "0",
    "webhook-signature": await sign(secret, id, 0, body),
  };
}

for (const clock of [NaN, Infinity, -Infinity]) {
  Deno.test(`a verifier whose now() returns ${clock} fails closed on a 1970 timestamp`, async () => {
    const [vector] = VECTORS;
    const headers = await signedAt1970(vector.secret, vector.id, vector.body);
    // The same headers verify on a clock of 1970, so only the clock refuses.
    const at1970 = new WebhookVerifier(vector.secret, { now: () => 0 });
    assert.deepEqual(await at1970.verify(vector.body, headers), {
      test: 2432232314,
    });
    const verifier = new WebhookVerifier(vector.secret, { now: () => clock });

    await assert.rejects(verifier.verify(vector.body, headers), (error) => {
      assert.ok(error instanceof TypeError);
      assert.match((error as Error).message, /'now'.*finite/);
      return true;
    });
  });
}
