import assert from "node:assert/strict";
import {
  isWebhookVerificationError,
  WebhookVerificationError,
  type WebhookVerificationReason,
  WebhookVerifier,
} from "../mod.ts";
import { encodeBase64 } from "../src/_shared/_base64.ts";
import {
  clockAt,
  OTHER_SECRET,
  sign,
  vectorHeaders,
  VECTORS,
} from "./_signing.ts";

const [FIRST, SECOND] = VECTORS;

/** Asserts that `promise` rejects with a verification error of `reason`. */
async function assertRejects(
  promise: Promise<unknown>,
  reason: WebhookVerificationReason,
  message?: RegExp,
): Promise<WebhookVerificationError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof WebhookVerificationError, String(caught));
  assert.equal(caught.reason, reason, caught.message);
  assert.equal(caught.name, "WebhookVerificationError");
  if (message) assert.match(caught.message, message);
  for (const { secret } of [...VECTORS, { secret: OTHER_SECRET }]) {
    assert.ok(!caught.message.includes(secret.slice("whsec_".length)));
  }
  return caught;
}

for (const vector of VECTORS) {
  Deno.test(`verify() accepts the known-answer vector ${vector.id} and returns its JSON`, async () => {
    const verifier = new WebhookVerifier(vector.secret, {
      now: clockAt(vector.timestamp),
    });

    const payload = await verifier.verify(vector.body, vectorHeaders(vector));

    assert.deepEqual(payload, JSON.parse(vector.body));
  });
}

Deno.test("the test helper signs the known-answer vectors, so tests built on it mean something", async () => {
  for (const vector of VECTORS) {
    assert.equal(
      await sign(vector.secret, vector.id, vector.timestamp, vector.body),
      vector.signature,
    );
  }
});

const rejectedSignatures: [string, string][] = [
  [
    "the signature with its last character changed",
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
  ],
  ["a v2 entry alone", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ["a v1a entry alone", "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ["a truncated signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O"],
  ["a signature cut to 8 characters", "v1,g0hM9"],
  ["a bare v1,", "v1,"],
  ["a bare v1", "v1"],
  [
    "the signature without its version",
    "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  ],
  [
    "the signature in URL-safe base64",
    "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  ],
  [
    "the signature with stray bits in its last character",
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=",
  ],
  ["an upper-case V1", "V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ["white space only", "   "],
];

for (const [name, signature] of rejectedSignatures) {
  Deno.test(`verify() rejects ${name} as no_matching_signature`, async () => {
    const verifier = new WebhookVerifier(FIRST.secret, {
      now: clockAt(FIRST.timestamp),
    });

    await assertRejects(
      verifier.verify(FIRST.body, {
        ...vectorHeaders(FIRST),
        "webhook-signature": signature,
      }),
      "no_matching_signature",
      /^Cannot verify webhook as none of its v1 signatures matches a secret$/,
    );
  });
}

Deno.test("verify() finds the matching v1 signature among others and unknown versions", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const signature = [
    "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==",
    FIRST.signature,
    "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
  ].join(" ");

  const payload = await verifier.verify(FIRST.body, {
    ...vectorHeaders(FIRST),
    "webhook-signature": signature,
  });

  assert.deepEqual(payload, { test: 2432232314 });
});

Deno.test("verify() tries at most 10 v1 signatures, so a header cannot make it hash the body endlessly", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const decoys = Array.from(
    { length: 10 },
    (_, i) => `v1,${encodeBase64(new Uint8Array(32).fill(i))}`,
  );

  await assertRejects(
    verifier.verify(FIRST.body, {
      ...vectorHeaders(FIRST),
      "webhook-signature": [...decoys, FIRST.signature].join(" "),
    }),
    "no_matching_signature",
  );
  // Repeated decoys count once: after nine of them, twice, the valid
  // signature is the tenth and is tried.
  const repeated = [
    ...decoys.slice(0, 9),
    ...decoys.slice(0, 9),
    FIRST.signature,
  ];
  assert.deepEqual(
    await verifier.verify(FIRST.body, {
      ...vectorHeaders(FIRST),
      "webhook-signature": repeated.join(" "),
    }),
    { test: 2432232314 },
  );
});

Deno.test("verify() rejects a tampered body, id or timestamp", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const headers = vectorHeaders(FIRST);

  await assertRejects(
    verifier.verify('{"test": 2432232315}', headers),
    "no_matching_signature",
  );
  await assertRejects(
    verifier.verify(`${FIRST.body} `, headers),
    "no_matching_signature",
  );
  await assertRejects(
    verifier.verify(FIRST.body, { ...headers, "webhook-id": "msg_other" }),
    "no_matching_signature",
  );
  await assertRejects(
    verifier.verify(FIRST.body, {
      ...headers,
      "webhook-timestamp": String(FIRST.timestamp + 1),
    }),
    "no_matching_signature",
  );
});

Deno.test("verify() rejects a webhook signed with another secret", async () => {
  const verifier = new WebhookVerifier(OTHER_SECRET, {
    now: clockAt(FIRST.timestamp),
  });

  await assertRejects(
    verifier.verify(FIRST.body, vectorHeaders(FIRST)),
    "no_matching_signature",
  );
});

Deno.test("a verifier with two secrets accepts a webhook signed with either", async () => {
  const verifier = new WebhookVerifier([FIRST.secret, SECOND.secret]);
  const now = Math.floor(Date.now() / 1_000);

  for (const secret of [FIRST.secret, SECOND.secret]) {
    const signature = await sign(secret, "msg_rotation", now, "[1,2]");
    assert.deepEqual(
      await verifier.verify("[1,2]", {
        "webhook-id": "msg_rotation",
        "webhook-timestamp": String(now),
        "webhook-signature": signature,
      }),
      [1, 2],
    );
  }
  const stranger = await sign(OTHER_SECRET, "msg_rotation", now, "[1,2]");
  await assertRejects(
    verifier.verify("[1,2]", {
      "webhook-id": "msg_rotation",
      "webhook-timestamp": String(now),
      "webhook-signature": stranger,
    }),
    "no_matching_signature",
  );
});

const toleranceCases: [string, number, WebhookVerificationReason | null][] = [
  ["exactly 300 s old", 300, null],
  ["300.999 s old", 300.999, null],
  ["301 s old", 301, "timestamp_too_old"],
  ["a day old", 86_400, "timestamp_too_old"],
  ["exactly 300 s in the future", -300, null],
  ["301 s in the future", -301, "timestamp_too_new"],
  ["a day in the future", -86_400, "timestamp_too_new"],
];

for (const [name, ageSeconds, reason] of toleranceCases) {
  Deno.test(`verify() with the default tolerance ${reason ? `rejects a timestamp ${name} as ${reason}` : `accepts a timestamp ${name}`}`, async () => {
    const verifier = new WebhookVerifier(FIRST.secret, {
      now: () => (FIRST.timestamp + ageSeconds) * 1_000,
    });
    const verifying = verifier.verify(FIRST.body, vectorHeaders(FIRST));

    if (reason === null) {
      assert.deepEqual(await verifying, { test: 2432232314 });
    } else {
      await assertRejects(
        verifying,
        reason,
        /beyond the tolerance of 300 s$/,
      );
    }
  });
}

Deno.test("verify() honours a tolerance of its own, 0 included", async () => {
  const strict = new WebhookVerifier(FIRST.secret, {
    toleranceSeconds: 0,
    now: clockAt(FIRST.timestamp),
  });
  assert.deepEqual(
    await strict.verify(FIRST.body, vectorHeaders(FIRST)),
    { test: 2432232314 },
  );
  const late = new WebhookVerifier(FIRST.secret, {
    toleranceSeconds: 10,
    now: clockAt(FIRST.timestamp + 11),
  });
  await assertRejects(
    late.verify(FIRST.body, vectorHeaders(FIRST)),
    "timestamp_too_old",
    /11 s in the past, beyond the tolerance of 10 s$/,
  );
});

Deno.test("verify() checks the timestamp against the real clock by default", async () => {
  const verifier = new WebhookVerifier(FIRST.secret);

  // The vector was signed in 2021.
  await assertRejects(
    verifier.verify(FIRST.body, vectorHeaders(FIRST)),
    "timestamp_too_old",
  );
});

for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
  Deno.test(`verify() rejects a webhook without ${name} as missing_header`, async () => {
    const verifier = new WebhookVerifier(FIRST.secret, {
      now: clockAt(FIRST.timestamp),
    });
    const headers: Record<string, string> = vectorHeaders(FIRST);
    delete headers[name];

    await assertRejects(
      verifier.verify(FIRST.body, headers),
      "missing_header",
      new RegExp(`the '${name}' header is missing$`),
    );
    await assertRejects(
      verifier.verify(FIRST.body, { ...headers, [name]: "" }),
      "missing_header",
    );
  });
}

Deno.test("verify() rejects a webhook-id with a '.', which would make the signed content ambiguous", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const signature = await sign(FIRST.secret, "msg.1", FIRST.timestamp, "{}");

  await assertRejects(
    verifier.verify("{}", {
      "webhook-id": "msg.1",
      "webhook-timestamp": String(FIRST.timestamp),
      "webhook-signature": signature,
    }),
    "missing_header",
    /'webhook-id' header contains '\.'$/,
  );
});

for (
  const timestamp of [
    "hello",
    "1614265330.5",
    "-1614265330",
    " 1614265330",
    "1614265330 ",
    "1e9",
    "0x603",
  ]
) {
  Deno.test(`verify() rejects the timestamp ${JSON.stringify(timestamp)} as invalid_timestamp`, async () => {
    const verifier = new WebhookVerifier(FIRST.secret, {
      now: clockAt(FIRST.timestamp),
    });

    const error = await assertRejects(
      verifier.verify(FIRST.body, {
        ...vectorHeaders(FIRST),
        "webhook-timestamp": timestamp,
      }),
      "invalid_timestamp",
    );
    assert.ok(!error.message.includes(timestamp.trim()));
  });
}

Deno.test("verify() reads headers from a Headers object or a record, in any case", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const headers = vectorHeaders(FIRST);
  const shouting = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
  );
  // Node.js gives repeated headers as arrays.
  const nodeStyle = {
    "Webhook-Id": [FIRST.id],
    "Webhook-Timestamp": String(FIRST.timestamp),
    "webhook-signature": FIRST.signature,
    "content-type": undefined,
  };

  for (const form of [new Headers(headers), shouting, nodeStyle]) {
    assert.deepEqual(
      await verifier.verify(FIRST.body, form),
      { test: 2432232314 },
    );
  }
});

Deno.test("verify() accepts the body as bytes", async () => {
  const verifier = new WebhookVerifier(SECOND.secret, {
    now: clockAt(SECOND.timestamp),
  });

  const payload = await verifier.verify(
    new TextEncoder().encode(SECOND.body),
    vectorHeaders(SECOND),
  );

  assert.deepEqual(payload, {
    email: "test@example.com",
    username: "test_user",
  });
});

Deno.test("verify() signs what it parses: bytes that are not UTF-8 still verify, then fail as invalid_payload", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  const bytes = new Uint8Array([0x22, 0xff, 0x22]); // `"`, an invalid byte, `"`
  const headers = {
    "webhook-id": "msg_bytes",
    "webhook-timestamp": String(FIRST.timestamp),
    "webhook-signature": await sign(
      FIRST.secret,
      "msg_bytes",
      FIRST.timestamp,
      bytes,
    ),
  };

  await assertRejects(
    verifier.verify(bytes, headers),
    "invalid_payload",
    /^Cannot verify webhook as its body is not JSON$/,
  );
});

for (const body of ["", "not json", '{"a":', "undefined"]) {
  Deno.test(`verify() rejects a correctly signed body ${JSON.stringify(body)} as invalid_payload`, async () => {
    const verifier = new WebhookVerifier(FIRST.secret, {
      now: clockAt(FIRST.timestamp),
    });
    const signature = await sign(
      FIRST.secret,
      FIRST.id,
      FIRST.timestamp,
      body,
    );

    await assertRejects(
      verifier.verify(body, {
        ...vectorHeaders(FIRST),
        "webhook-signature": signature,
      }),
      "invalid_payload",
    );
  });
}

Deno.test("verify() checks the signature before the JSON: a tampered non-JSON body is no_matching_signature", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });

  await assertRejects(
    verifier.verify("not json", vectorHeaders(FIRST)),
    "no_matching_signature",
  );
});

Deno.test("verifyRequest() reads the body once and returns the payload", async () => {
  const verifier = new WebhookVerifier(SECOND.secret, {
    now: clockAt(SECOND.timestamp),
  });
  const request = new Request("http://localhost/hooks", {
    method: "POST",
    headers: vectorHeaders(SECOND),
    body: SECOND.body,
  });

  const payload = await verifier.verifyRequest(request);

  assert.deepEqual(payload, {
    email: "test@example.com",
    username: "test_user",
  });
  assert.equal(request.bodyUsed, true);
});

Deno.test("verifyRequest() rejects missing headers without reading the body", async () => {
  const verifier = new WebhookVerifier(SECOND.secret, {
    now: clockAt(SECOND.timestamp),
  });
  const request = new Request("http://localhost/hooks", {
    method: "POST",
    body: SECOND.body,
  });

  await assertRejects(verifier.verifyRequest(request), "missing_header");
  assert.equal(request.bodyUsed, false);
});

Deno.test("verifyRequest() rejects a stale request without reading the body", async () => {
  const verifier = new WebhookVerifier(SECOND.secret, {
    now: clockAt(SECOND.timestamp + 3_600),
  });
  const request = new Request("http://localhost/hooks", {
    method: "POST",
    headers: vectorHeaders(SECOND),
    body: SECOND.body,
  });

  await assertRejects(verifier.verifyRequest(request), "timestamp_too_old");
  assert.equal(request.bodyUsed, false);
});

Deno.test("verifyRequest() verifies the raw bytes, not a re-decoded string", async () => {
  const verifier = new WebhookVerifier(FIRST.secret, {
    now: clockAt(FIRST.timestamp),
  });
  // A UTF-8 BOM is dropped by `request.text()`; the signature covers it.
  const bytes = new Uint8Array([
    0xef,
    0xbb,
    0xbf,
    ...new TextEncoder().encode("[7]"),
  ]);
  const signature = await sign(FIRST.secret, "msg_bom", FIRST.timestamp, bytes);
  const request = () =>
    new Request("http://localhost/hooks", {
      method: "POST",
      headers: {
        "webhook-id": "msg_bom",
        "webhook-timestamp": String(FIRST.timestamp),
        "webhook-signature": signature,
      },
      body: bytes,
    });

  assert.deepEqual(await verifier.verifyRequest(request()), [7]);
  await assertRejects(
    verifier.verify(await request().text(), {
      "webhook-id": "msg_bom",
      "webhook-timestamp": String(FIRST.timestamp),
      "webhook-signature": signature,
    }),
    "no_matching_signature",
  );
});

const badSecrets: [string, unknown, RegExp][] = [
  [
    "an empty secret",
    "",
    /^Cannot create WebhookVerifier as 'secret' is empty$/,
  ],
  [
    "a secret without the whsec_ prefix",
    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    /'secret' must start with 'whsec_' followed by base64$/,
  ],
  [
    "a secret with another prefix",
    "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    /'secret' must start with 'whsec_'/,
  ],
  ["a prefix alone", "whsec_", /'secret' holds no key after 'whsec_'$/],
  [
    "a secret that is not base64",
    "whsec_MfKQ9r8GKYqrTwjUPD8I!PZIo2LaLaSw",
    /'secret' is not valid base64 after 'whsec_'$/,
  ],
  [
    "a secret in URL-safe base64",
    "whsec_MfKQ9r8GKYqrTwjUPD8I-PZIo2LaLa_w",
    /'secret' is not valid base64/,
  ],
  [
    "a secret with a trailing newline",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
    /'secret' is not valid base64/,
  ],
  [
    "an empty array",
    [],
    /^Cannot create WebhookVerifier as 'secret' holds no secret$/,
  ],
  ["a bad second secret", [
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD=",
  ], /'secret\[1\]' is not valid base64/],
  [
    "a number",
    42,
    /'secret' must be a 'whsec_' secret string: current value is of type number$/,
  ],
];

for (const [name, secret, message] of badSecrets) {
  Deno.test(`new WebhookVerifier() throws a TypeError for ${name}, without printing it`, () => {
    assert.throws(
      () => new WebhookVerifier(secret as string),
      (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes("MfKQ9r8G"));
        assert.ok(!error.message.includes("C2FVsBQI"));
        return true;
      },
    );
  });
}

Deno.test("new WebhookVerifier() accepts a short secret: the sender chose it", async () => {
  const verifier = new WebhookVerifier("whsec_c2hvcnQ=", {
    now: clockAt(FIRST.timestamp),
  });
  const signature = await sign("whsec_c2hvcnQ=", "msg_1", FIRST.timestamp, "1");

  assert.equal(
    await verifier.verify("1", {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(FIRST.timestamp),
      "webhook-signature": signature,
    }),
    1,
  );
});

for (const toleranceSeconds of [-1, NaN, Infinity]) {
  Deno.test(`new WebhookVerifier() throws a RangeError for toleranceSeconds ${toleranceSeconds}`, () => {
    assert.throws(
      () => new WebhookVerifier(FIRST.secret, { toleranceSeconds }),
      (error) => {
        assert.ok(error instanceof RangeError);
        assert.equal(
          error.message,
          `Cannot create WebhookVerifier as 'toleranceSeconds' must be a number of seconds from 0 upwards: current value is ${toleranceSeconds}`,
        );
        return true;
      },
    );
  });
}

Deno.test("new WebhookVerifier() throws a TypeError for a clock that is not a function", () => {
  assert.throws(
    // @ts-expect-error: testing a value outside the type
    () => new WebhookVerifier(FIRST.secret, { now: 1614265330 }),
    /^TypeError: Cannot create WebhookVerifier as 'now' must be a function: current value is of type number$/,
  );
});

Deno.test("isWebhookVerificationError() recognizes the error of another copy of the module", async () => {
  const copy = await import("../src/verify/webhook_verification_error.ts?copy");
  const foreign: unknown = new copy.WebhookVerificationError(
    "timestamp_too_old",
    "Too old",
  );

  assert.equal(foreign instanceof WebhookVerificationError, false);
  assert.equal(isWebhookVerificationError(foreign), true);
  assert.equal(
    copy.isWebhookVerificationError(
      new WebhookVerificationError("invalid_payload", "x"),
    ),
    true,
  );
});

Deno.test("isWebhookVerificationError() is true for what verify() throws and false for look-alikes", async () => {
  const verifier = new WebhookVerifier(FIRST.secret);
  const thrown = await verifier.verify("{}", {}).catch((error) => error);
  const lookAlike = Object.assign(new Error("x"), {
    name: "WebhookVerificationError",
    reason: "missing_header",
  });

  assert.equal(isWebhookVerificationError(thrown), true);
  for (
    const value of [
      lookAlike,
      new Error("x"),
      { reason: "missing_header" },
      "missing_header",
      null,
      undefined,
    ]
  ) {
    assert.equal(isWebhookVerificationError(value), false);
  }
});
