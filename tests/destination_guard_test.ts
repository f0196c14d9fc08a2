import assert from "node:assert/strict";
import {
  type FetchFunction,
  type ResolveHostFunction,
  type WebhookDeliveryOptions,
  WebhookDeliveryService,
} from "../mod.ts";
import { captureLogger } from "./_capture_logger.ts";
import { startStubServer } from "./_stub_server.ts";

/** A fetch that answers 204 and remembers the URLs it was asked for. */
function recordingFetch(): FetchFunction & { urls: string[] } {
  const urls: string[] = [];
  return Object.assign(
    (url: string) => {
      urls.push(url);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
    { urls },
  );
}

function guardedService(options: WebhookDeliveryOptions = {}) {
  const fetch = recordingFetch();
  const logger = captureLogger();
  const service = new WebhookDeliveryService({
    blockPrivateNetworks: true,
    retryDelaysMs: [],
    fetch,
    logger,
    ...options,
  });
  return { service, fetch, logger };
}

// [URL, the range the message must name]
const blocked: [string, RegExp][] = [
  ["http://localhost/hook", /is localhost/],
  ["http://LOCALHOST:8080/hook", /is localhost/],
  ["http://localhost./hook", /is localhost/],
  ["http://api.localhost/hook", /is localhost/],
  ["http://127.0.0.1/hook", /loopback address \(127\.0\.0\.0\/8\)/],
  ["http://127.0.0.1./hook", /loopback/],
  ["http://127.1/hook", /loopback/],
  ["http://127.255.255.254/hook", /loopback/],
  ["http://0x7f.1/hook", /loopback/],
  ["http://0X7F.0.0.1/hook", /loopback/],
  ["http://0177.0.0.1/hook", /loopback/],
  ["http://2130706433/hook", /loopback/],
  ["http://017700000001/hook", /loopback/],
  ["http://%31%32%37.0.0.1/hook", /loopback/],
  ["https://127.0.0.1:8443/hook", /loopback/],
  ["http://[::1]/hook", /loopback address \(::1\)/],
  ["http://[0:0:0:0:0:0:0:1]/hook", /loopback address \(::1\)/],
  ["http://[::ffff:127.0.0.1]/hook", /loopback.*IPv4-mapped/],
  ["http://[::FFFF:7F00:1]/hook", /loopback.*IPv4-mapped/],
  ["http://[0:0:0:0:0:ffff:127.0.0.1]/hook", /loopback.*IPv4-mapped/],
  ["http://[::127.0.0.1]/hook", /loopback.*IPv4-compatible/],
  ["http://[64:ff9b::127.0.0.1]/hook", /loopback.*NAT64/],
  ["http://10.0.0.1/hook", /private address \(10\.0\.0\.0\/8\)/],
  ["http://10.255.255.255/hook", /private/],
  ["http://012.1/hook", /private address \(10\.0\.0\.0\/8\)/],
  ["http://172.16.0.1/hook", /private address \(172\.16\.0\.0\/12\)/],
  ["http://172.31.255.255/hook", /private address \(172\.16\.0\.0\/12\)/],
  ["http://192.168.1.10/hook", /private address \(192\.168\.0\.0\/16\)/],
  ["http://0xc0a80101/hook", /private address \(192\.168\.0\.0\/16\)/],
  ["http://[::ffff:192.168.1.10]/hook", /private.*IPv4-mapped/],
  ["http://[::ffff:10.0.0.1]/hook", /private.*IPv4-mapped/],
  ["http://169.254.169.254/latest/meta-data/", /link-local address \(169\.254/],
  ["http://169.254.0.1/hook", /link-local/],
  ["http://2852039166/latest/meta-data/", /link-local/],
  ["http://[::ffff:169.254.169.254]/hook", /link-local.*IPv4-mapped/],
  ["http://[fe80::1]/hook", /link-local address \(fe80::\/10\)/],
  ["http://[FEBF:ffff::1]/hook", /link-local/],
  ["http://[fec0::1]/hook", /site-local/],
  ["http://100.64.0.1/hook", /CGNAT/],
  ["http://100.127.255.255/hook", /CGNAT/],
  ["http://[::ffff:100.64.0.1]/hook", /CGNAT.*IPv4-mapped/],
  ["http://[fc00::1]/hook", /unique local address \(fc00::\/7\)/],
  ["http://[fd12:3456:789a::1]/hook", /unique local/],
  ["http://0.0.0.0/hook", /unspecified address \(0\.0\.0\.0\/8\)/],
  ["http://0/hook", /unspecified/],
  ["http://0.1.2.3/hook", /unspecified/],
  ["http://[::]/hook", /unspecified address \(::\)/],
  ["http://[::ffff:0.0.0.0]/hook", /unspecified.*IPv4-mapped/],
];

for (const [url, range] of blocked) {
  Deno.test(`blockPrivateNetworks refuses ${url} before any request`, async () => {
    const { service, fetch, logger } = guardedService();

    const result = await service.send(url, { event_type: "task.completed" });

    assert.equal(result.ok, false);
    assert.equal(result.outcome, "invalid");
    assert.equal(result.error?.kind, "blocked_destination");
    assert.match(result.error?.message ?? "", range);
    assert.match(
      result.error?.message ?? "",
      /, and 'blockPrivateNetworks' is on$/,
    );
    assert.deepEqual(result.attempts, []);
    assert.deepEqual(fetch.urls, []);
    assert.equal(logger.records.length, 1);
    const [record] = logger.records;
    assert.equal(record?.level, "error");
    assert.equal(record?.fields.outcome, "invalid");
    assert.equal(record?.fields.errorKind, "blocked_destination");
    assert.equal(record?.fields.error, result.error?.message);
  });
}

const allowed = [
  "http://93.184.215.14/hook",
  "https://8.8.8.8/hook",
  "http://1.1.1.1/hook",
  "http://11.0.0.1/hook",
  "http://126.255.255.255/hook",
  "http://128.0.0.1/hook",
  "http://172.15.255.255/hook",
  "http://172.32.0.1/hook",
  "http://192.167.255.255/hook",
  "http://192.169.0.1/hook",
  "http://169.253.255.255/hook",
  "http://169.255.0.1/hook",
  "http://100.63.255.255/hook",
  "http://100.128.0.1/hook",
  "http://1.0.0.0/hook",
  "http://[2606:4700:4700::1111]/hook",
  "http://[::ffff:8.8.8.8]/hook",
  "http://[64:ff9b::8.8.8.8]/hook",
  "http://[fbff:ffff::1]/hook",
  "http://[fe7f::1]/hook",
  "http://[ff02::1]/hook",
  "https://hooks.example.com/in",
  "https://localhost.example.com/in",
  "https://mylocalhost/in",
  "https://10.0.0.1.nip.example/in",
];

for (const url of allowed) {
  Deno.test(`blockPrivateNetworks lets ${url} through unchanged`, async () => {
    const { service, fetch } = guardedService();

    const result = await service.send(url, {});

    assert.equal(result.outcome, "delivered");
    assert.deepEqual(fetch.urls, [new URL(url).href]);
  });
}

Deno.test("the guard is off by default: a delivery to 127.0.0.1 goes through", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({ logger: captureLogger() });
  const explicitlyOff = new WebhookDeliveryService({
    blockPrivateNetworks: false,
    logger: captureLogger(),
  });

  assert.equal(await service.deliver(server.url, {}), true);
  assert.equal(await explicitlyOff.deliver(server.url, {}), true);
  assert.equal(server.requests.length, 2);
});

Deno.test("with the guard on, a delivery to 127.0.0.1 reaches nothing", async () => {
  await using server = startStubServer([{ status: 204 }]);
  const service = new WebhookDeliveryService({
    blockPrivateNetworks: true,
    logger: captureLogger(),
  });

  const result = await service.send(server.url, {});

  assert.equal(result.error?.kind, "blocked_destination");
  assert.equal(server.requests.length, 0);
});

Deno.test("an invalid URL stays invalid_url with the guard on", async () => {
  const { service } = guardedService();

  const result = await service.send("ftp://127.0.0.1/hook", {});

  assert.equal(result.error?.kind, "invalid_url");
});

/** A resolver that answers from a table and records the names asked. */
function tableResolver(
  table: Record<string, readonly string[]>,
): ResolveHostFunction & { asked: string[] } {
  const asked: string[] = [];
  return Object.assign(
    (hostname: string) => {
      asked.push(hostname);
      const addresses = table[hostname];
      return addresses
        ? Promise.resolve(addresses)
        : Promise.reject(new Error(`No such host: ${hostname}`));
    },
    { asked },
  );
}

const resolved: [string, readonly string[], RegExp | null][] = [
  ["public.example", ["93.184.215.14"], null],
  ["public6.example", ["2606:4700:4700::1111", "1.1.1.1"], null],
  [
    "private.example",
    ["10.0.0.5"],
    /resolves to 10\.0\.0\.5, a private address/,
  ],
  [
    "metadata.example",
    ["169.254.169.254"],
    /resolves to 169\.254\.169\.254, a link-local/,
  ],
  [
    "mixed.example",
    ["93.184.215.14", "192.168.0.2"],
    /resolves to 192\.168\.0\.2/,
  ],
  ["loopback6.example", ["::1"], /resolves to ::1, a loopback address/],
  ["mapped.example", ["::ffff:127.0.0.1"], /IPv4-mapped/],
  ["zoned.example", ["fe80::1%eth0"], /link-local address \(fe80::\/10\)/],
  ["ula.example", ["fd00::1"], /unique local/],
  ["cgnat.example", ["100.100.100.100"], /CGNAT/],
  ["nothing.example", [], /as 'resolveHost' returned no address$/],
  [
    "garbage.example",
    ["not-an-ip"],
    /as 'resolveHost' returned "not-an-ip", which is not an IP address$/,
  ],
  ["sneaky.example", ["user@127.0.0.1"], /which is not an IP address$/],
];

for (const [hostname, addresses, refusal] of resolved) {
  Deno.test(`with resolveHost, ${hostname} resolving to ${JSON.stringify(addresses)} is ${refusal ? "refused" : "let through"}`, async () => {
    const resolveHost = tableResolver({ [hostname]: addresses });
    const { service, fetch, logger } = guardedService({ resolveHost });
    const url = `https://${hostname}/hook`;

    const result = await service.send(url, {});

    assert.deepEqual(resolveHost.asked, [hostname]);
    if (refusal === null) {
      assert.equal(result.outcome, "delivered");
      assert.deepEqual(fetch.urls, [url]);
    } else {
      assert.equal(result.outcome, "invalid");
      assert.equal(result.error?.kind, "blocked_destination");
      assert.match(result.error?.message ?? "", refusal);
      assert.deepEqual(fetch.urls, []);
      assert.deepEqual(
        logger.records.map((r) => [r.fields.outcome, r.fields.errorKind]),
        [["invalid", "blocked_destination"]],
      );
    }
  });
}

Deno.test("resolveHost is not asked about IP literals or localhost", async () => {
  const resolveHost = tableResolver({});
  const { service, fetch } = guardedService({ resolveHost });

  await service.send("http://93.184.215.14/hook", {});
  await service.send("http://[2606:4700:4700::1111]/hook", {});
  await service.send("http://10.0.0.1/hook", {});
  await service.send("http://localhost/hook", {});

  assert.deepEqual(resolveHost.asked, []);
  assert.equal(fetch.urls.length, 2);
});

Deno.test("a resolveHost that fails refuses the delivery: the guard fails closed", async () => {
  const resolveHost = tableResolver({});
  const { service, fetch } = guardedService({ resolveHost });

  const result = await service.send("https://unknown.example/hook", {});

  assert.equal(result.error?.kind, "blocked_destination");
  assert.equal(
    result.error?.message,
    "Cannot check the destination unknown.example as 'resolveHost' failed: No such host: unknown.example",
  );
  assert.deepEqual(fetch.urls, []);
});

Deno.test("a resolveHost that returns something other than strings refuses the delivery", async () => {
  const { service, fetch } = guardedService({
    resolveHost: () => Promise.resolve([42] as unknown as string[]),
  });

  const result = await service.send("https://odd.example/hook", {});

  assert.equal(result.error?.kind, "blocked_destination");
  assert.match(
    result.error?.message ?? "",
    /did not return an array of strings$/,
  );
  assert.deepEqual(fetch.urls, []);
});

Deno.test("a resolveHost that never answers is given up after timeoutMs, its signal aborted", async () => {
  let received: AbortSignal | undefined;
  const { service, fetch } = guardedService({
    timeoutMs: 20,
    resolveHost: (_hostname, { signal }) => {
      received = signal;
      return new Promise(() => {});
    },
  });

  const result = await service.send("https://slow.example/hook", {});

  assert.equal(result.outcome, "invalid");
  assert.equal(result.error?.kind, "blocked_destination");
  assert.equal(
    result.error?.message,
    "Cannot check the destination slow.example as 'resolveHost' did not answer within 20 ms",
  );
  assert.equal(received?.aborted, true);
  assert.deepEqual(fetch.urls, []);
});

Deno.test("aborting during resolveHost ends the delivery as aborted, with nothing sent", async () => {
  const controller = new AbortController();
  const { service, fetch, logger } = guardedService({
    resolveHost: (_hostname, { signal }) => {
      controller.abort(new Error("shutting down"));
      return new Promise((_resolve, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      );
    },
  });

  const result = await service.send("https://hooks.example/in", {}, {
    signal: controller.signal,
  });

  assert.equal(result.outcome, "aborted");
  assert.equal(result.error?.kind, "aborted");
  assert.deepEqual(fetch.urls, []);
  assert.deepEqual(logger.records.map((r) => r.fields.outcome), ["aborted"]);
});

const badGuardOptions: [string, WebhookDeliveryOptions, RegExp][] = [
  [
    "blockPrivateNetworks that is not a boolean",
    { blockPrivateNetworks: "yes" as unknown as boolean },
    /'blockPrivateNetworks' must be a boolean: current value is yes$/,
  ],
  [
    "resolveHost that is not a function",
    {
      blockPrivateNetworks: true,
      resolveHost: "8.8.8.8" as unknown as ResolveHostFunction,
    },
    /'resolveHost' must be a function: current value is 8\.8\.8\.8$/,
  ],
  [
    "resolveHost without blockPrivateNetworks",
    { resolveHost: () => Promise.resolve(["1.1.1.1"]) },
    /'resolveHost' is only used with 'blockPrivateNetworks: true'$/,
  ],
];

for (const [name, options, message] of badGuardOptions) {
  Deno.test(`new WebhookDeliveryService() throws a TypeError for ${name}`, () => {
    assert.throws(() => new WebhookDeliveryService(options), (error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^Cannot create WebhookDeliveryService as /);
      assert.match(error.message, message);
      return true;
    });
  });
}
