import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { USER_AGENT, VERSION } from "../src/send/_version.ts";

Deno.test("the version in src/send/_version.ts is the one in deno.json", () => {
  assert.equal(VERSION, denoJson.version);
  assert.equal(USER_AGENT, `omoi-webhook-delivery/${denoJson.version}`);
});
