import type { DenoConfig } from "./deno_config.ts";

/**
 * The oldest Node.js the package runs on, and the first of the 20 line: it
 * needs the global Web Crypto (`crypto`), which Node.js 18 lacks, and it
 * joins abort signals by hand because `AbortSignal.any` only came in 20.3.
 * The build runs the Node test suite on exactly this version (first of
 * `TESTED_NODE_VERSIONS` in `verify.ts`), so the `engines` field is a tested
 * claim.
 */
export const MIN_NODE_VERSION = "20.0.0";

/** Where each module format goes, inside `npm/`. */
export const FORMATS = {
  esm: { dir: "esm", type: "module" },
  cjs: { dir: "cjs", type: "commonjs" },
} as const;

/** What npm needs that `deno.json` has no field for. */
export const NPM_METADATA = {
  description:
    "Reliable JSON webhook delivery: retries with backoff, a per-attempt timeout, structured logs, never throws; no dependencies",
  keywords: [
    "webhook",
    "webhooks",
    "delivery",
    "retry",
    "timeout",
    "fetch",
    "http",
    "deno",
    "node",
    "typescript",
  ],
  repository: {
    type: "git",
    url: "git+https://github.com/omoi/webhook-delivery.git",
  },
} as const;

/** The files copied beside `package.json`, unchanged. */
export const COPIED_FILES = ["README.md", "LICENSE"] as const;

/**
 * Files that are not modules but ship in the package at the path they have
 * in the repository, each under a subpath of the `exports` map so that a
 * tool can find it with `require.resolve` or `import.meta.resolve` (a
 * package with `exports` hides every path it does not list). The schema
 * PostgresStore's `migrate()` creates, for a DBA to apply by hand.
 */
export const ASSET_EXPORTS: Readonly<Record<string, string>> = {
  "./postgres/schema.sql": "./src/stores/postgres/schema.sql",
};

/**
 * The `deno.json` export that is the command line. npm gets it as a `bin`
 * (ES module only: it awaits at top level) instead of an `exports` entry.
 */
export const CLI_SUBPATH = "./cli";

/** The command the npm `bin` installs, and the file it runs. */
export const BIN = {
  name: "webhook-delivery",
  path: "bin/webhook-delivery.mjs",
} as const;

/** `deno.json`'s exports without the command line: what npm `exports` maps. */
export function libraryExports(
  denoExports: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(denoExports).filter(([subpath]) => subpath !== CLI_SUBPATH),
  );
}

/**
 * The text of the `bin` file: a Node.js script that runs the command line's
 * `main()` from the ES module build of `cliSource` (`./src/cli/mod.ts`) and
 * sets the exit code it returns.
 */
export function binScript(cliSource: string): string {
  const stem = cliSource.replace(/^\.\//, "").replace(/\.ts$/, "");
  return [
    "#!/usr/bin/env node",
    "// The webhook-delivery command line; its code is in the ES module build.",
    'import process from "node:process";',
    `import { main } from "../${FORMATS.esm.dir}/${stem}.js";`,
    "",
    "process.exitCode = await main(process.argv.slice(2));",
    "",
  ].join("\n");
}

/** One entry of the npm `exports` map: declarations and code per format. */
export interface ExportConditions {
  import: { types: string; default: string };
  require: { types: string; default: string };
}

/**
 * Derives the npm `exports` map from the one in `deno.json`, so the two
 * cannot drift apart: `{".": "./mod.ts"}` becomes `import` and `require`
 * conditions pointing at `./esm/mod.js` and `./cjs/mod.js`, each with its own
 * declarations first (`types` must precede `default`).
 */
export function npmExports(
  denoExports: Record<string, string>,
): Record<string, ExportConditions> {
  const map: Record<string, ExportConditions> = {};
  for (const [subpath, source] of Object.entries(denoExports)) {
    const stem = source.replace(/^\.\//, "").replace(/\.ts$/, "");
    map[subpath] = {
      import: {
        types: `./${FORMATS.esm.dir}/${stem}.d.ts`,
        default: `./${FORMATS.esm.dir}/${stem}.js`,
      },
      require: {
        types: `./${FORMATS.cjs.dir}/${stem}.d.ts`,
        default: `./${FORMATS.cjs.dir}/${stem}.js`,
      },
    };
  }
  return map;
}

/**
 * The `package.json` of the npm package. Its `exports` are the modules of
 * `deno.json` plus {@linkcode ASSET_EXPORTS}; it declares no dependencies,
 * not even optional peer ones for `pg` or `postgres`: the PostgreSQL
 * adapters import neither, they only call the methods of the client they are
 * given, so a declared range would only make npm refuse versions that work.
 */
export function npmPackageJson(config: DenoConfig): Record<string, unknown> {
  const library = npmExports(libraryExports(config.exports));
  const exports: Record<string, ExportConditions | string> = {
    ...library,
    ...ASSET_EXPORTS,
  };
  const main = library["."];
  const cli = config.exports[CLI_SUBPATH];
  return {
    name: config.name,
    version: config.version,
    description: NPM_METADATA.description,
    license: config.license,
    repository: NPM_METADATA.repository,
    keywords: NPM_METADATA.keywords,
    engines: { node: `>=${MIN_NODE_VERSION}` },
    type: "module",
    exports,
    // For tools that predate `exports`.
    ...(main ? { main: main.require.default, types: main.require.types } : {}),
    ...(cli ? { bin: { [BIN.name]: `./${BIN.path}` } } : {}),
    sideEffects: false,
    files: [
      `${FORMATS.esm.dir}/`,
      `${FORMATS.cjs.dir}/`,
      ...(cli ? [`${BIN.path.split("/")[0]}/`] : []),
      ...COPIED_FILES,
      ...Object.values(ASSET_EXPORTS).map((path) => path.replace(/^\.\//, "")),
    ],
  };
}

/** Every file that the `exports` map (and `main`, `types`, `bin`) points at. */
export function exportTargets(packageJson: Record<string, unknown>): string[] {
  const targets = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.add(value.replace(/^\.\//, ""));
    else if (value && typeof value === "object") {
      Object.values(value).forEach(walk);
    }
  };
  walk(packageJson.exports);
  walk(packageJson.main);
  walk(packageJson.types);
  walk(packageJson.bin);
  return [...targets].sort();
}
