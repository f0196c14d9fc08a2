import assert from "node:assert/strict";
import { isoString } from "../src/log/_iso_now.ts";

Deno.test("isoString() is toISOString() on both sides of second, year and epoch boundaries, in either order", () => {
  const instants = [
    Date.UTC(2026, 10, 28, 12, 0, 0),
    Date.UTC(2026, 10, 28, 12, 0, 0) + 999,
    Date.UTC(2026, 10, 28, 12, 0, 1),
    Date.UTC(2026, 10, 28, 12, 0, 0) + 7,
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    Date.UTC(2027, 0, 1),
    0,
    -1,
    -1_000,
    -1_001,
    Date.UTC(-50, 0, 1, 0, 0, 0, 5),
    Date.UTC(10_000, 0, 1, 0, 0, 0, 42),
    8.64e15,
    1_500.5,
    -1_500.5,
  ];
  for (const ms of [...instants, ...instants.toReversed()]) {
    assert.equal(isoString(ms), new Date(ms).toISOString(), `at ${ms}`);
  }
});
