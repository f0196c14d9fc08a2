// The package installs and loads by name through both `import` and `require`,
// with the same exports in both, and nothing it does not promise.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import * as esm from "@omoi/webhook-delivery";
import {
  expectedExports,
  installedPackageJson,
  NAME,
  require,
  specifier,
} from "./_package.mjs";

const cjs = require(NAME);

for (const [subpath, names] of Object.entries(expectedExports)) {
  describe(`the package's "${subpath}" export`, () => {
    it(`exports ${names.join(", ")} through import`, async () => {
      const module = await import(specifier(subpath));
      assert.deepEqual(Object.keys(module).sort(), names);
    });

    it("exports the same names through require", () => {
      const module = require(specifier(subpath));
      assert.deepEqual(Object.keys(module).sort(), names);
    });
  });
}

describe("import and require", () => {
  it("load the ES module build and the CommonJS build", () => {
    assert.match(require.resolve(NAME), /[/\\]cjs[/\\]mod\.js$/);
    assert.notEqual(esm.WebhookDeliveryService, cjs.WebhookDeliveryService);
  });

  it("give the same constants", () => {
    assert.equal(esm.DEFAULT_TIMEOUT_MS, 10_000);
    assert.deepEqual(esm.DEFAULT_RETRY_DELAYS_MS, [1_000, 2_000, 4_000]);
    assert.equal(esm.DEFAULT_TIMEOUT_MS, cjs.DEFAULT_TIMEOUT_MS);
    assert.deepEqual(esm.DEFAULT_RETRY_DELAYS_MS, cjs.DEFAULT_RETRY_DELAYS_MS);
    assert.equal(
      esm.DEFAULT_MAX_RETRY_AFTER_MS,
      cjs.DEFAULT_MAX_RETRY_AFTER_MS,
    );
  });
});

describe("the installed package.json", () => {
  it("declares no runtime dependencies", () => {
    for (
      const field of [
        "dependencies",
        "peerDependencies",
        "optionalDependencies",
      ]
    ) {
      assert.equal(installedPackageJson[field], undefined, field);
    }
  });

  it("claims a Node.js version that this one satisfies", () => {
    const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(
      installedPackageJson.engines.node,
    );
    assert.ok(minimum, installedPackageJson.engines.node);
    const [major, minor, patch] = process.versions.node.split(".").map(Number);
    const [minMajor, minMinor, minPatch] = minimum.slice(1).map(Number);
    const order = (major - minMajor) || (minor - minMinor) ||
      (patch - minPatch);
    assert.ok(
      order >= 0,
      `${process.version} is older than ${installedPackageJson.engines.node}`,
    );
  });
});
