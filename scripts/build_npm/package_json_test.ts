import assert from "node:assert/strict";
import {
  type DenoConfig,
  parseDenoConfig,
  readDenoConfig,
} from "./deno_config.ts";
import {
  ASSET_EXPORTS,
  BIN,
  binScript,
  CLI_SUBPATH,
  exportTargets,
  MIN_NODE_VERSION,
  npmExports,
  npmPackageJson,
} from "./package_json.ts";
import { schemaSql } from "../../src/stores/postgres/_schema.ts";
import { TESTED_BUN_VERSION, TESTED_NODE_VERSIONS } from "./runtimes.ts";

const config: DenoConfig = {
  name: "@scope/name",
  version: "1.2.3",
  license: "MIT",
  exports: { ".": "./mod.ts", "./sub": "./src/sub.ts" },
  compilerOptions: {},
  typescriptVersion: "6.0.3",
  pgVersion: "8.23.1",
};

Deno.test("npmExports() maps each deno.json export to ESM and CommonJS, declarations first", () => {
  const map = npmExports(config.exports);

  assert.deepEqual(map, {
    ".": {
      import: { types: "./esm/mod.d.ts", default: "./esm/mod.js" },
      require: { types: "./cjs/mod.d.ts", default: "./cjs/mod.js" },
    },
    "./sub": {
      import: { types: "./esm/src/sub.d.ts", default: "./esm/src/sub.js" },
      require: { types: "./cjs/src/sub.d.ts", default: "./cjs/src/sub.js" },
    },
  });
  // Resolvers take the first condition that matches: `types` must lead.
  for (const conditions of Object.values(map)) {
    assert.deepEqual(Object.keys(conditions.import), ["types", "default"]);
    assert.deepEqual(Object.keys(conditions.require), ["types", "default"]);
  }
});

Deno.test("npmPackageJson() takes name, version and license from deno.json and adds no dependencies", () => {
  const packageJson = npmPackageJson(config);

  assert.equal(packageJson.name, "@scope/name");
  assert.equal(packageJson.version, "1.2.3");
  assert.equal(packageJson.license, "MIT");
  assert.equal(packageJson.type, "module");
  assert.equal(packageJson.sideEffects, false);
  assert.deepEqual(packageJson.engines, { node: `>=${MIN_NODE_VERSION}` });
  assert.deepEqual(packageJson.exports, {
    ...npmExports(config.exports),
    ...ASSET_EXPORTS,
  });
  assert.equal(packageJson.main, "./cjs/mod.js");
  assert.equal(packageJson.types, "./cjs/mod.d.ts");
  for (
    const field of [
      "dependencies",
      "peerDependencies",
      "peerDependenciesMeta",
      "optionalDependencies",
      "scripts",
    ]
  ) {
    assert.equal(packageJson[field], undefined, field);
  }
});

Deno.test("npmPackageJson() lists in files every folder its exports point into", () => {
  const packageJson = npmPackageJson(config);
  const files = packageJson.files as string[];

  assert.ok(files.includes("README.md") && files.includes("LICENSE"));
  for (const target of exportTargets(packageJson)) {
    assert.ok(
      files.some((entry) => target.startsWith(entry)),
      `${target} is not in files`,
    );
  }
});

Deno.test("the npm exports map of this repository has exactly deno.json's subpaths, then the schema.sql asset", async () => {
  const real = await readDenoConfig();

  const packageJson = npmPackageJson(real);

  assert.deepEqual(Object.keys(packageJson.exports as object), [
    ...Object.keys(real.exports).filter((subpath) => subpath !== CLI_SUBPATH),
    "./postgres/schema.sql",
  ]);
  assert.ok(Object.keys(real.exports).includes("./postgres"));
  assert.deepEqual(packageJson.bin, { [BIN.name]: `./${BIN.path}` });
  assert.match(real.typescriptVersion, /^(5\.9|6\.0)\.\d+$/);
  assert.match(real.pgVersion, /^8\.\d+\.\d+$/);
});

Deno.test("the exported schema.sql is a file of the repository, listed in files, and the one migrate() runs", async () => {
  const packageJson = npmPackageJson(await readDenoConfig());
  const exports = packageJson.exports as Record<string, unknown>;
  const target = exports["./postgres/schema.sql"];

  assert.equal(target, "./src/stores/postgres/schema.sql");
  assert.ok(
    (packageJson.files as string[]).includes("src/stores/postgres/schema.sql"),
  );
  assert.ok(
    exportTargets(packageJson).includes("src/stores/postgres/schema.sql"),
  );
  const text = await Deno.readTextFile(
    new URL(`../../${target}`, import.meta.url),
  );
  assert.equal(text, schemaSql());
});

Deno.test("npmPackageJson() makes the ./cli export a bin, in files, and leaves it out of exports", () => {
  const packageJson = npmPackageJson({
    ...config,
    exports: { ...config.exports, [CLI_SUBPATH]: "./src/cli/mod.ts" },
  });

  assert.deepEqual(packageJson.exports, {
    ...npmExports(config.exports),
    ...ASSET_EXPORTS,
  });
  assert.deepEqual(packageJson.bin, {
    "webhook-delivery": "./bin/webhook-delivery.mjs",
  });
  assert.ok((packageJson.files as string[]).includes("bin/"));
  assert.ok(exportTargets(packageJson).includes("bin/webhook-delivery.mjs"));
  assert.equal(npmPackageJson(config).bin, undefined);
});

Deno.test("binScript() is a Node.js script that runs main() from the ES module build", () => {
  const script = binScript("./src/cli/mod.ts");

  assert.ok(script.startsWith("#!/usr/bin/env node\n"));
  assert.match(
    script,
    /^import \{ main \} from "\.\.\/esm\/src\/cli\/mod\.js";$/m,
  );
  assert.match(
    script,
    /^process\.exitCode = await main\(process\.argv\.slice\(2\)\);$/m,
  );
});

Deno.test("parseDenoConfig() rejects what the npm build cannot derive a package from", () => {
  const valid = {
    name: "@scope/name",
    version: "1.0.0",
    license: "MIT",
    exports: "./mod.ts",
    imports: { typescript: "npm:typescript@6.0.3", pg: "npm:pg@8.23.1" },
  };
  assert.deepEqual(parseDenoConfig(valid, "deno.json").exports, {
    ".": "./mod.ts",
  });

  for (
    const [change, message] of [
      [{ version: "" }, /'version' must be a non-empty string/],
      [{ exports: { ".": "./mod.js" } }, /'exports' must map/],
      [{ exports: { "sub": "./mod.ts" } }, /'exports' must map/],
      [{ exports: {} }, /'exports' must map/],
      [
        { imports: { typescript: "npm:typescript@^6.0.3" } },
        /'imports.typescript' must pin an exact version/,
      ],
      [{ imports: {} }, /'imports.typescript' must pin/],
      [
        { imports: { typescript: "npm:typescript@6.0.3" } },
        /'imports.pg' must pin an exact version, as in "npm:pg@8.23.1"/,
      ],
    ] as const
  ) {
    assert.throws(
      () => parseDenoConfig({ ...valid, ...change }, "deno.json"),
      (error: unknown) =>
        error instanceof TypeError && message.test(error.message),
      JSON.stringify(change),
    );
  }
});

Deno.test("the runtimes build:npm tests on start at the engines floor and pin exact versions", () => {
  assert.equal(TESTED_NODE_VERSIONS[0], MIN_NODE_VERSION);
  for (const version of [...TESTED_NODE_VERSIONS, TESTED_BUN_VERSION]) {
    assert.match(version, /^\d+\.\d+\.\d+$/);
  }
  assert.deepEqual(
    TESTED_NODE_VERSIONS.map((version) => Number(version.split(".")[0])),
    [20, 22, 24],
  );
});
