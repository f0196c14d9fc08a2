// Requires the receiver's entry point alone and prints, as JSON, the files
// of the package that loading it brought in: node _verify_child.cjs
const { WebhookVerifier } = require("@omoi/webhook-delivery/verify");

if (typeof WebhookVerifier !== "function") throw new Error("no verifier");
const loaded = Object.keys(require.cache)
  .map((path) => path.replaceAll("\\", "/"))
  .filter((path) => path.includes("/@omoi/webhook-delivery/"))
  .map((path) => path.slice(path.indexOf("/cjs/") + 1));
console.log(JSON.stringify(loaded.sort()));
