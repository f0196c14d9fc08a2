/**
 * The contract every `WebhookStore` must pass, as one `Deno.test` per
 * behaviour. A store module's test calls `storeContract` with a factory
 * that makes a fresh, empty store.
 */
import assert from "node:assert/strict";
import type { AttemptResult, NewMessage, WebhookStore } from "../../mod.ts";

const T0 = Date.UTC(2026, 0, 1);

function message(id: string, endpoint = "a", createdAt = T0): NewMessage {
  return {
    id,
    url: `https://example.test/${endpoint}`,
    loggedUrl: `https://example.test/${endpoint}`,
    endpoint,
    body: JSON.stringify({ id }),
    headers: { "webhook-id": id, "content-type": "application/json" },
    createdAt,
  };
}

const claimAt = (
  now: number,
  extra: Partial<Parameters<WebhookStore["claim"]>[0]> = {},
) => ({
  now,
  limit: 10,
  leaseMs: 1_000,
  endpointLimit: 10,
  maxClaimsWithoutResult: 3,
  ...extra,
});

/** Registers the contract tests for stores that `makeStore` opens. */
export function storeContract(
  name: string,
  makeStore: () => Promise<WebhookStore> | WebhookStore,
): void {
  const test = (title: string, body: (store: WebhookStore) => Promise<void>) =>
    Deno.test(`${name}: ${title}`, async () => {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });

  test("enqueue stores a message once; an id stored already is a duplicate", async (store) => {
    assert.deepEqual(await store.enqueue([message("m1")]), [
      { id: "m1", duplicate: false, status: "pending" },
    ]);
    const again = { ...message("m1"), body: '"other"' };
    assert.deepEqual(await store.enqueue([again, message("m2")]), [
      { id: "m1", duplicate: true, status: "pending" },
      { id: "m2", duplicate: false, status: "pending" },
    ]);
    const { messages } = await store.claim(claimAt(T0));
    assert.deepEqual(messages.map((m) => [m.id, m.body]), [
      ["m1", JSON.stringify({ id: "m1" })],
      ["m2", JSON.stringify({ id: "m2" })],
    ]);
    assert.deepEqual(messages[0]!.headers, message("m1").headers);
  });

  test("a claim leases due messages oldest first; nobody else claims them until the lease ends", async (store) => {
    await store.enqueue([message("m1"), message("m2", "a", T0 + 5)]);
    const first = await store.claim(claimAt(T0, { limit: 1 }));
    assert.deepEqual(first.messages.map((m) => m.id), ["m1"]);
    assert.equal(first.nextDueAt, T0 + 5);
    const second = await store.claim(claimAt(T0 + 10));
    assert.deepEqual(second.messages.map((m) => m.id), ["m2"]);
    assert.deepEqual((await store.claim(claimAt(T0 + 999))).messages, []);
    const afterLease = await store.claim(claimAt(T0 + 1_000));
    assert.deepEqual(afterLease.messages.map((m) => m.id), ["m1"]);
    assert.notEqual(afterLease.messages[0]!.token, first.messages[0]!.token);
  });

  test("a result is recorded only with the lease's current token", async (store) => {
    await store.enqueue([message("m1")]);
    const [old] = (await store.claim(claimAt(T0))).messages;
    const [current] = (await store.claim(claimAt(T0 + 1_000))).messages;
    const attempt = {
      number: 1,
      startedAt: new Date(T0).toISOString(),
      durationMs: 5,
      status: 200,
    };
    assert.deepEqual(
      await store.record([
        {
          id: "m1",
          token: old!.token,
          now: T0 + 1_001,
          attempt,
          decision: { type: "dead", reason: "late" },
        },
        {
          id: "m1",
          token: current!.token,
          now: T0 + 1_002,
          attempt,
          decision: { type: "delivered" },
        },
      ]),
      [{ recorded: false }, { recorded: true }],
    );
    const record = await store.get("m1");
    assert.equal(record?.status, "delivered");
    assert.deepEqual(record?.attempts, [attempt]);
    assert.equal(record?.nextAttemptAt, null);
  });

  test("a retry is due at its time, with the attempt kept and the schedule advanced", async (store) => {
    await store.enqueue([message("m1")]);
    const [claimed] = (await store.claim(claimAt(T0))).messages;
    assert.equal(claimed!.scheduleIndex, 0);
    const attempt = {
      number: 1,
      startedAt: new Date(T0).toISOString(),
      durationMs: 3,
      status: 503,
      retryInMs: 500,
    };
    await store.record([{
      id: "m1",
      token: claimed!.token,
      now: T0 + 3,
      attempt,
      decision: { type: "retry", at: T0 + 503 },
    }]);
    const pending = await store.get("m1");
    assert.equal(pending?.status, "pending");
    assert.equal(pending?.inFlight, false);
    assert.equal(pending?.nextAttemptAt, new Date(T0 + 503).toISOString());
    const early = await store.claim(claimAt(T0 + 502));
    assert.deepEqual(early.messages, []);
    assert.equal(early.nextDueAt, T0 + 503);
    const [again] = (await store.claim(claimAt(T0 + 503))).messages;
    assert.equal(again!.scheduleIndex, 1);
    assert.equal(again!.attempts, 1);
  });

  test("a dead message keeps its reason and is not claimed", async (store) => {
    await store.enqueue([message("m1")]);
    const [claimed] = (await store.claim(claimAt(T0))).messages;
    await store.record([{
      id: "m1",
      token: claimed!.token,
      now: T0,
      decision: {
        type: "dead",
        reason: "Webhook rejected by receiver (status 400)",
      },
    }]);
    assert.equal(
      (await store.get("m1"))?.deadReason,
      "Webhook rejected by receiver (status 400)",
    );
    assert.deepEqual((await store.claim(claimAt(T0 + 10_000))).messages, []);
  });

  test("a release puts a message back at once without counting a claim or an attempt", async (store) => {
    await store.enqueue([message("m1")]);
    for (let round = 0; round < 5; round++) {
      const [claimed] = (await store.claim(claimAt(T0 + round))).messages;
      assert.ok(claimed, `claimed in round ${round}`);
      await store.record([{
        id: "m1",
        token: claimed.token,
        now: T0 + round,
        decision: { type: "release" },
      }]);
    }
    const record = await store.get("m1");
    assert.equal(record?.status, "pending");
    assert.deepEqual(record?.attempts, []);
  });

  test("claims that keep ending without a result end the message as dead", async (store) => {
    await store.enqueue([message("m1")]);
    let now = T0;
    for (let claim = 0; claim < 3; claim++, now += 1_000) {
      assert.equal((await store.claim(claimAt(now))).messages.length, 1);
    }
    const result = await store.claim(claimAt(now));
    assert.deepEqual(result.messages, []);
    assert.deepEqual(result.abandoned, ["m1"]);
    const record = await store.get("m1");
    assert.equal(record?.status, "dead");
    assert.match(record?.deadReason ?? "", /Claimed 3 times without a result/);
  });

  test("no endpoint gets more leases than its limit, over every claim", async (store) => {
    await store.enqueue([
      ...["a1", "a2", "a3", "a4"].map((id) => message(id, "a")),
      ...["b1", "b2", "b3"].map((id) => message(id, "b")),
      message("c1", "c"),
    ]);
    const first = await store.claim(claimAt(T0, { endpointLimit: 2 }));
    assert.deepEqual(first.messages.map((m) => m.id), [
      "a1",
      "a2",
      "b1",
      "b2",
      "c1",
    ]);
    const second = await store.claim(claimAt(T0, { endpointLimit: 2 }));
    assert.deepEqual(second.messages, []);
    assert.equal(second.nextDueAt, T0, "due messages were left for later");
    const limits = new Map([["a", 0], ["b", 3]]);
    const third = await store.claim(
      claimAt(T0, { endpointLimit: 2, endpointLimits: limits }),
    );
    assert.deepEqual(third.messages.map((m) => m.id), ["b3"]);
  });

  test("the breaker pauses an endpoint after its threshold; after the pause one probe at a time; a success resumes it", async (store) => {
    const breaker = {
      failureThreshold: 2,
      cooldownMs: 1_000,
      maxCooldownMs: 4_000,
    };
    await store.enqueue([
      message("a1", "a"),
      message("a2", "a"),
      message("a3", "a"),
      message("b1", "b"),
    ]);
    const claimed = (await store.claim(claimAt(T0, { breaker }))).messages;
    assert.deepEqual(claimed.map((m) => m.id), ["a1", "a2", "a3", "b1"]);
    const [a1, a2, a3, b1] = claimed;
    const result = (
      claim: typeof a1,
      now: number,
      health: "success" | "failure" | "none",
      decision: AttemptResult["decision"] = { type: "retry", at: now },
    ): AttemptResult => ({
      id: claim!.id,
      token: claim!.token,
      now,
      decision,
      health,
      breaker,
    });
    assert.deepEqual(
      await store.record([
        result(a1, T0 + 5, "failure"),
        result(a2, T0 + 10, "failure"),
        result(a3, T0 + 10, "none", { type: "release" }),
        result(b1, T0 + 10, "success", { type: "delivered" }),
      ]),
      [
        { recorded: true },
        {
          recorded: true,
          endpointChange: { type: "paused", failures: 2, until: T0 + 1_010 },
        },
        { recorded: true },
        { recorded: true },
      ],
    );
    const paused = await store.claim(claimAt(T0 + 20, { breaker }));
    assert.deepEqual(paused.messages, [], "nothing of a paused endpoint");
    assert.ok(
      paused.nextDueAt !== undefined && paused.nextDueAt <= T0 + 1_010,
      "the worker wakes by the end of the pause",
    );
    const unbroken = await store.claim(claimAt(T0 + 20, { leaseMs: 1 }));
    assert.equal(
      unbroken.messages.length,
      3,
      "a claim without breaker ignores it",
    );
    const [probe] = (await store.claim(claimAt(T0 + 1_010, { breaker })))
      .messages;
    assert.equal(probe?.endpoint, "a");
    assert.deepEqual(
      (await store.claim(claimAt(T0 + 1_010, { breaker }))).messages,
      [],
      "one probe at a time",
    );
    assert.deepEqual(
      await store.record([result(probe, T0 + 1_020, "failure")]),
      [
        {
          recorded: true,
          endpointChange: { type: "paused", failures: 3, until: T0 + 3_020 },
        },
      ],
    );
    assert.deepEqual(
      (await store.claim(claimAt(T0 + 3_000, { breaker }))).messages,
      [],
      "the second pause is twice as long",
    );
    const [second] = (await store.claim(claimAt(T0 + 3_020, { breaker })))
      .messages;
    assert.ok(second, "a probe after the second pause");
    assert.deepEqual(
      await store.record([
        result(second, T0 + 3_030, "success", { type: "delivered" }),
      ]),
      [{ recorded: true, endpointChange: { type: "resumed" } }],
    );
    const resumed = await store.claim(claimAt(T0 + 3_040, { breaker }));
    assert.equal(resumed.messages.length, 2, "the rest of a, all at once");
  });

  test("get includes the body sent; list leaves it out; neither has the headers", async (store) => {
    const payload = JSON.stringify({ note: "<script>alert(1)</script>" });
    await store.enqueue([{ ...message("m1"), body: payload }]);
    const record = await store.get("m1");
    assert.equal(record?.body, payload);
    assert.equal("headers" in record!, false);
    const [listed] = (await store.list()).messages;
    assert.equal(listed?.id, "m1");
    assert.equal("body" in listed!, false);
    assert.equal("headers" in listed!, false);
  });

  test("endpoints lists each endpoint's counts, its breaker (paused, then probing) and its switch, by key", async (store) => {
    assert.deepEqual(await store.endpoints(T0), [], "an empty store");
    const breaker = {
      failureThreshold: 1,
      cooldownMs: 1_000,
      maxCooldownMs: 4_000,
    };
    await store.enqueue([
      message("b1", "b"),
      message("a1", "a"),
      message("a2", "a"),
      message("a3", "a"),
    ]);
    const claimed = (await store.claim(claimAt(T0, { breaker }))).messages;
    const byId = new Map(claimed.map((m) => [m.id, m]));
    const done = (
      id: string,
      decision: AttemptResult["decision"],
      health: "success" | "failure",
    ): AttemptResult => ({
      id,
      token: byId.get(id)!.token,
      now: T0 + 10,
      decision,
      health,
      breaker,
    });
    await store.record([
      done("a1", { type: "delivered" }, "success"),
      done("a2", { type: "dead", reason: "rejected: 400" }, "failure"),
      done("b1", { type: "retry", at: T0 + 5_000 }, "failure"),
    ]);
    await store.disableEndpoint("c", "Retired by hand", T0 + 20);
    const paused = await store.endpoints(T0 + 30);
    const base = {
      pending: 0,
      delivered: 0,
      dead: 0,
      failures: 0,
      pausedUntil: null,
      disabledReason: null,
    };
    assert.deepEqual(paused, [
      {
        ...base,
        endpoint: "a",
        status: "paused",
        pending: 1,
        delivered: 1,
        dead: 1,
        failures: 1,
        pausedUntil: new Date(T0 + 1_010).toISOString(),
      },
      {
        ...base,
        endpoint: "b",
        status: "paused",
        pending: 1,
        failures: 1,
        pausedUntil: new Date(T0 + 1_010).toISOString(),
      },
      {
        ...base,
        endpoint: "c",
        status: "disabled",
        disabledReason: "Retired by hand",
      },
    ]);
    const later = await store.endpoints(T0 + 2_000);
    assert.deepEqual(later.map((e) => [e.endpoint, e.status]), [
      ["a", "probing"],
      ["b", "probing"],
      ["c", "disabled"],
    ], "a pause over lets a probe through");
    assert.equal(await store.enableEndpoint("c"), true);
    assert.deepEqual(
      (await store.endpoints(T0 + 2_000)).map((e) => e.endpoint),
      ["a", "b"],
      "an endpoint re-enabled, without messages or failures, is not listed",
    );
  });

  test("a result not recorded (its lease lost) changes no breaker", async (store) => {
    const breaker = {
      failureThreshold: 1,
      cooldownMs: 1_000,
      maxCooldownMs: 1_000,
    };
    await store.enqueue([message("a1", "a")]);
    const [claimed] = (await store.claim(claimAt(T0, { breaker }))).messages;
    assert.deepEqual(
      await store.record([{
        id: "a1",
        token: `${claimed!.token}-stale`,
        now: T0,
        decision: { type: "retry", at: T0 },
        health: "failure",
        breaker,
      }]),
      [{ recorded: false }],
    );
    const [again] = (await store.claim(claimAt(T0 + 1_000, { breaker })))
      .messages;
    assert.equal(again?.id, "a1", "the endpoint is not paused");
  });

  test("concurrent records, each of one result, come out as if one after another", async (store) => {
    const breaker = {
      failureThreshold: 3,
      cooldownMs: 1_000,
      maxCooldownMs: 1_000,
    };
    await store.enqueue([
      ...["a1", "a2", "a3", "a4"].map((id) => message(id, "a")),
      ...["b1", "b2"].map((id) => message(id, "b")),
    ]);
    const claimed = (await store.claim(claimAt(T0, { breaker }))).messages;
    assert.equal(claimed.length, 6);
    const byId = new Map(claimed.map((m) => [m.id, m]));
    const result = (
      id: string,
      health: "success" | "failure",
      token = byId.get(id)!.token,
    ): AttemptResult => ({
      id,
      token,
      now: T0 + 10,
      decision: health === "success"
        ? { type: "delivered" }
        : { type: "retry", at: T0 + 5_000 },
      health,
      breaker,
    });
    const outcomes = await Promise.all([
      result("a1", "failure"),
      result("a2", "failure", "stale"),
      result("b1", "success"),
      result("a3", "failure"),
      result("b2", "failure", "stale"),
      result("a4", "failure"),
      result("a4", "success"),
    ].map((one) => store.record([one])));
    assert.deepEqual(outcomes, [
      [{ recorded: true }],
      [{ recorded: false }],
      [{ recorded: true }],
      [{ recorded: true }],
      [{ recorded: false }],
      [{
        recorded: true,
        endpointChange: { type: "paused", failures: 3, until: T0 + 1_010 },
      }],
      [{ recorded: false }],
    ]);
    assert.equal((await store.get("a2"))?.attempts.length, 0);
    assert.equal((await store.get("a4"))?.status, "pending");
    assert.equal((await store.get("b1"))?.status, "delivered");
    assert.equal((await store.get("b2"))?.status, "pending");
    const paused = await store.claim(claimAt(T0 + 999, { breaker }));
    assert.deepEqual(
      paused.messages.map((m) => m.id),
      [],
      "a paused, b's message still leased",
    );
    const after = await store.claim(claimAt(T0 + 1_010, { breaker }));
    assert.deepEqual(
      after.messages.map((m) => [m.id, m.endpoint]),
      [["a2", "a"], ["b2", "b"]],
      "one probe of a (a2, its lease ended), and b2, whose lease ended",
    );
  });

  test("of concurrent successes on a paused endpoint, the first resumes it; a stale one changes nothing", async (store) => {
    const breaker = {
      failureThreshold: 1,
      cooldownMs: 1_000,
      maxCooldownMs: 1_000,
    };
    await store.enqueue(["a1", "a2", "a3", "a4"].map((id) => message(id)));
    const [first] = (await store.claim(claimAt(T0, { limit: 1, breaker })))
      .messages;
    assert.deepEqual(
      await store.record([{
        id: first!.id,
        token: first!.token,
        now: T0 + 1,
        decision: { type: "retry", at: T0 + 5_000 },
        health: "failure",
        breaker,
      }]),
      [{
        recorded: true,
        endpointChange: { type: "paused", failures: 1, until: T0 + 1_001 },
      }],
    );
    // Claimed without the breaker, as a worker that turned it off would.
    const rest = (await store.claim(claimAt(T0 + 2))).messages;
    assert.deepEqual(rest.map((m) => m.id), ["a2", "a3", "a4"]);
    const success = (
      claimed: (typeof rest)[number],
      token = claimed.token,
    ): AttemptResult => ({
      id: claimed.id,
      token,
      now: T0 + 3,
      decision: { type: "delivered" },
      health: "success",
      breaker,
    });
    assert.deepEqual(
      await Promise.all([
        store.record([success(rest[0]!, "stale")]),
        store.record([success(rest[1]!)]),
        store.record([success(rest[2]!)]),
      ]),
      [
        [{ recorded: false }],
        [{ recorded: true, endpointChange: { type: "resumed" } }],
        [{ recorded: true }],
      ],
    );
    const resumed = await store.claim(claimAt(T0 + 4, { breaker }));
    assert.deepEqual(resumed.messages, [], "a2 still leased, a1 not due");
    assert.equal(resumed.nextDueAt, T0 + 5_000, "a1's retry: no pause to end");
  });

  test("disabling an endpoint kills its pending messages and stores new ones dead until enabled", async (store) => {
    await store.enqueue([message("a1", "a"), message("b1", "b")]);
    assert.equal(
      await store.disableEndpoint("a", "the receiver answered 410 Gone", T0),
      1,
    );
    assert.equal((await store.get("a1"))?.status, "dead");
    assert.match((await store.get("a1"))?.deadReason ?? "", /410 Gone/);
    assert.deepEqual(await store.enqueue([message("a2", "a")]), [{
      id: "a2",
      duplicate: false,
      status: "dead",
    }]);
    assert.deepEqual((await store.stats(T0)).disabledEndpoints, [
      { endpoint: "a", reason: "the receiver answered 410 Gone" },
    ]);
    assert.equal(await store.enableEndpoint("a"), true);
    assert.equal(await store.enableEndpoint("a"), false);
    assert.deepEqual(await store.enqueue([message("a3", "a")]), [{
      id: "a3",
      duplicate: false,
      status: "pending",
    }]);
    assert.deepEqual(
      (await store.claim(claimAt(T0))).messages.map((m) => m.id),
      ["b1", "a3"],
    );
  });

  test("list pages through messages oldest first, by status and endpoint", async (store) => {
    await store.enqueue(
      ["m1", "m2", "m3", "m4", "m5"].map((id, i) =>
        message(id, i % 2 ? "b" : "a")
      ),
    );
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 2, cursor });
      pages.push(page.messages.map((m) => m.id));
      cursor = page.cursor;
    } while (cursor);
    assert.deepEqual(pages, [["m1", "m2"], ["m3", "m4"], ["m5"]]);
    const ofB = await store.list({ endpoint: "b" });
    assert.deepEqual(ofB.messages.map((m) => m.id), ["m2", "m4"]);
    assert.equal(ofB.cursor, undefined);
    assert.deepEqual((await store.list({ status: "dead" })).messages, []);
    const [first] = (await store.list({ limit: 1 })).messages;
    assert.equal(first?.url, "https://example.test/a");
    assert.equal(first?.createdAt, new Date(T0).toISOString());
    await assert.rejects(store.list({ cursor: "not a cursor" }), TypeError);
  });

  test("stats count messages by status and those under lease", async (store) => {
    await store.enqueue(["m1", "m2", "m3"].map((id) => message(id)));
    const [c1, c2] = (await store.claim(claimAt(T0, { limit: 2 }))).messages;
    await store.record([{
      id: c1!.id,
      token: c1!.token,
      now: T0,
      decision: { type: "delivered" },
    }]);
    assert.deepEqual(await store.stats(T0), {
      pending: 2,
      delivered: 1,
      dead: 0,
      inFlight: 1,
      disabledEndpoints: [],
    });
    assert.equal(
      (await store.stats(T0 + 1_000)).inFlight,
      0,
      `the lease of ${c2!.id} has ended`,
    );
  });

  test("replay sends a dead or delivered message again with its schedule restarted", async (store) => {
    await store.enqueue([message("m1"), message("m2")]);
    const [c1] = (await store.claim(claimAt(T0, { limit: 1 }))).messages;
    const attempt = {
      number: 1,
      startedAt: new Date(T0).toISOString(),
      durationMs: 1,
      status: 400,
    };
    await store.record([{
      id: "m1",
      token: c1!.token,
      now: T0,
      attempt,
      decision: { type: "dead", reason: "x" },
    }]);
    assert.equal(await store.replay("m2", T0), false, "pending");
    assert.equal(await store.replay("missing", T0), false);
    assert.equal(await store.replay("m1", T0 + 50), true);
    const record = await store.get("m1");
    assert.equal(record?.status, "pending");
    assert.equal(record?.deadReason, undefined);
    assert.equal(record?.attempts.length, 1, "history is kept");
    const claimed = (await store.claim(claimAt(T0 + 50))).messages.find((m) =>
      m.id === "m1"
    );
    assert.equal(claimed?.scheduleIndex, 0);
  });

  test("replayDead puts back dead messages of one endpoint and time range", async (store) => {
    await store.enqueue([
      message("a1", "a", T0),
      message("a2", "a", T0 + 100),
      message("b1", "b", T0),
    ]);
    await store.disableEndpoint("a", "by hand", T0);
    await store.disableEndpoint("b", "by hand", T0);
    await store.enableEndpoint("a");
    await store.enableEndpoint("b");
    assert.equal(
      await store.replayDead({ endpoint: "a", since: T0 + 50 }, T0 + 200),
      1,
    );
    assert.equal((await store.get("a2"))?.status, "pending");
    assert.equal((await store.get("a1"))?.status, "dead");
    assert.equal(await store.replayDead({ until: T0 + 1 }, T0 + 200), 2);
    assert.equal((await store.stats(T0)).dead, 0);
  });

  test("prune deletes delivered messages older than the cut-off, nothing else", async (store) => {
    await store.enqueue([message("m1"), message("m2"), message("m3")]);
    const claimed = (await store.claim(claimAt(T0))).messages;
    await store.record([
      {
        id: "m1",
        token: claimed[0]!.token,
        now: T0 + 10,
        decision: { type: "delivered" },
      },
      {
        id: "m2",
        token: claimed[1]!.token,
        now: T0 + 20,
        decision: { type: "dead", reason: "x" },
      },
    ]);
    assert.equal(await store.prune(T0 + 11), 1);
    assert.equal(await store.get("m1"), undefined);
    assert.equal((await store.get("m2"))?.status, "dead");
    assert.equal((await store.get("m3"))?.status, "pending");
  });
}
