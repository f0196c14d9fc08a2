// Kept equal to `version` in deno.json, the single source of truth, by
// tests/version_test.ts.
export const VERSION = "0.1.0";

export const USER_AGENT = `omoi-webhook-delivery/${VERSION}`;
