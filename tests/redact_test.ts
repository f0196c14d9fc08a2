import assert from "node:assert/strict";
import { redactText, redactUrl } from "../src/_shared/_redact.ts";

// URL shapes after the WHATWG URL standard's test data: what the parser keeps
// as it is (parentheses, brackets, quotes), what it rewrites (backslashes,
// IPv6), and what it refuses (a port out of range, credentials without `//`).
const SECRET = "s3cr3t";
const URLS: readonly [string, string][] = [
  ["https://h.example/hook", "https://h.example/hook"],
  [`https://user:${SECRET}@h.example/hook`, "https://h.example/hook"],
  [
    `https://h.example/hook?token=${SECRET}`,
    "https://h.example/hook?token=REDACTED",
  ],
  [`https://h.example/hook?${SECRET}`, "https://h.example/hook?REDACTED"],
  [
    `https://h.example/hook?a=1&token=${SECRET}#frag`,
    "https://h.example/hook?a=REDACTED&token=REDACTED",
  ],
  [
    `https://h.example/(x)?token=a(${SECRET})`,
    "https://h.example/(x)?token=REDACTED",
  ],
  [
    `https://h.example/p?token=[${SECRET}]`,
    "https://h.example/p?token=REDACTED",
  ],
  [
    `https://h.example/p?token="${SECRET}"`,
    "https://h.example/p?token=REDACTED",
  ],
  [
    `https://h.example/p?token='${SECRET}'`,
    "https://h.example/p?token=REDACTED",
  ],
  [`http://[::1]:8080/p?token=${SECRET}`, "http://[::1]:8080/p?token=REDACTED"],
  [`http://u:${SECRET}@[fe80::1]/p`, "http://[fe80::1]/p"],
  [
    `https://h.example/p?token=%73%33${SECRET}`,
    "https://h.example/p?token=REDACTED",
  ],
  [`https://us%40er:${SECRET}%2F@h.example/`, "https://h.example/"],
  [
    `http:\\\\user:${SECRET}@h.example\\p?token=${SECRET}`,
    "http://h.example/p?token=REDACTED",
  ],
  [`http:/user:${SECRET}@h.example:99999/`, "http:/h.example:99999/"],
  [`http:user:${SECRET}@h.example:99999/`, "http:h.example:99999/"],
  [`//user:${SECRET}@h.example/p`, "h.example/p"],
  [`http://user:pa#${SECRET}@h.example/`, "http://h.example/"],
  [`http://user:pa?${SECRET}@h.example/`, "http://h.example/"],
  [`/relative?token=${SECRET}`, "/relative?token=REDACTED"],
];

for (const [input, expected] of URLS) {
  Deno.test(`redactUrl() shows ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => {
    const redacted = redactUrl(input);
    assert.equal(redacted, expected);
    assert.equal(redacted.includes(SECRET), false);
  });
}

Deno.test("redactText() redacts a URL quoted in parentheses, keeping the sentence around it", () => {
  const message =
    `error sending request for url (https://h.example/p?token=a(${SECRET})): connection refused`;
  assert.equal(
    redactText(message),
    "error sending request for url (https://h.example/p?token=REDACTED): connection refused",
  );
});

Deno.test("redactText() finds URLs in any case, glued to other text, and every one of them", () => {
  const message =
    `xHTTPS://h.example/?t=${SECRET}, then "http://u:${SECRET}@h.example/q".`;
  const redacted = redactText(message);
  assert.equal(redacted.includes(SECRET), false);
  assert.equal(
    redacted,
    `xhttps://h.example/?t=REDACTED, then "http://h.example/q".`,
  );
});

Deno.test("redactUrl() describes a value that cannot become a string instead of throwing", () => {
  assert.equal(redactUrl(Object.create(null)), "(not a string)");
});
