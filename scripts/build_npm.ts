/**
 * `deno task build:npm`: builds the npm package into `npm/` and proves it in
 * Node.js, the part that dnt plays in other Deno projects.
 *
 * 1. Cleans `npm/` and compiles what `deno.json` exports, with the TypeScript
 *    compiler that `deno.json` pins, twice: ES modules into `npm/esm/` and
 *    CommonJS into `npm/cjs/`, each with declarations, source maps and a
 *    `package.json` that tells Node.js its module type.
 * 2. Writes `npm/package.json` from `deno.json` (name, version, license and an
 *    `exports` map derived from its `exports`), copies README and LICENSE,
 *    and the PostgreSQL `schema.sql` at its repository path. The `./cli`
 *    export becomes the `webhook-delivery` `bin` instead: its modules are
 *    compiled as ES modules only and `npm/bin/` runs them.
 * 3. Packs it, installs the tarball into a fresh project, type-checks a
 *    TypeScript consumer and runs the Node test suite of `scripts/npm_test/`
 *    on this Node.js, on the pinned Node.js 20.0.0, 22 and 24 releases and
 *    on Bun, installed from npm into `.cache/runtimes/` and reused from there
 *    (see `build_npm/verify.ts`). Its `postgres.mjs` uses the PostgreSQL
 *    server that `WEBHOOK_PG_URL` names, or one started for the build.
 *
 * Any failure, a single compiler diagnostic included, ends it with a message
 * and exit code 1.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { BuildError, compile } from "./build_npm/compile.ts";
import { readDenoConfig, ROOT } from "./build_npm/deno_config.ts";
import {
  ASSET_EXPORTS,
  BIN,
  binScript,
  CLI_SUBPATH,
  COPIED_FILES,
  exportTargets,
  FORMATS,
  libraryExports,
  npmPackageJson,
} from "./build_npm/package_json.ts";
import { verifyInNode, writeJson } from "./build_npm/verify.ts";
import { startPostgres } from "./postgres/server.ts";

const OUT_DIR = join(ROOT, "npm");

async function build(): Promise<void> {
  const config = await readDenoConfig();
  console.log(`Building ${config.name}@${config.version} into npm/`);
  await Deno.remove(OUT_DIR, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });

  const library = libraryExports(config.exports);
  const entryPoints = Object.values(library).map((path) => join(ROOT, path));
  // The command line is built as ES modules only, for the `bin` to import.
  const cli = config.exports[CLI_SUBPATH];
  let valueExports: Record<string, string[]> = {};
  for (const format of ["esm", "cjs"] as const) {
    const { dir, type } = FORMATS[format];
    valueExports = compile({
      root: ROOT,
      entryPoints: format === "esm" && cli
        ? [...entryPoints, join(ROOT, cli)]
        : entryPoints,
      compilerOptions: config.compilerOptions,
      format,
      outDir: join(OUT_DIR, dir),
    });
    await writeJson(join(OUT_DIR, dir, "package.json"), { type });
  }

  const packageJson = npmPackageJson(config);
  await writeJson(join(OUT_DIR, "package.json"), packageJson);
  for (const file of COPIED_FILES) {
    await Deno.copyFile(join(ROOT, file), join(OUT_DIR, file));
  }
  for (const path of Object.values(ASSET_EXPORTS)) {
    await Deno.mkdir(join(OUT_DIR, dirname(path)), { recursive: true });
    await Deno.copyFile(join(ROOT, path), join(OUT_DIR, path));
  }
  if (cli) {
    const bin = join(OUT_DIR, BIN.path);
    await Deno.mkdir(join(bin, ".."), { recursive: true });
    await Deno.writeTextFile(bin, binScript(cli), { mode: 0o755 });
    await Deno.chmod(bin, 0o755);
  }
  await checkExportTargets(packageJson);
  console.log("Compiled ESM and CommonJS without a diagnostic");

  const server = await postgresForSuite();
  try {
    await verifyInNode({
      packageDir: OUT_DIR,
      packageJson,
      suiteDir: join(ROOT, "scripts", "npm_test"),
      expectedExports: Object.fromEntries(
        Object.entries(library).map(([subpath, path]) => [
          subpath,
          valueExports[join(ROOT, path)] ?? [],
        ]),
      ),
      typescriptVersion: config.typescriptVersion,
      pgVersion: config.pgVersion,
      postgresUrl: server.url,
      runtimesDir: join(ROOT, ".cache", "runtimes"),
    });
  } finally {
    await server.stop();
  }
  console.log(`\nbuild:npm: npm/ holds ${config.name}@${config.version}`);
}

/**
 * The PostgreSQL server of the Node suite's `postgres.mjs`: the one
 * `WEBHOOK_PG_URL` names (`.ci/run` starts one for the whole run), left
 * running, or else a throwaway one for this build, stopped at its end.
 */
async function postgresForSuite(): Promise<
  { url: string; stop(): Promise<void> }
> {
  const given = Deno.env.get("WEBHOOK_PG_URL");
  if (given) return { url: given, stop: () => Promise.resolve() };
  console.log("\n== Starting a throwaway PostgreSQL for the Node suite");
  try {
    return await startPostgres();
  } catch (error) {
    throw new BuildError((error as Error).message);
  }
}

/** Fails when the `exports` map points at a file the compiler did not write. */
async function checkExportTargets(
  packageJson: Record<string, unknown>,
): Promise<void> {
  for (const target of exportTargets(packageJson)) {
    try {
      await Deno.stat(join(OUT_DIR, target));
    } catch {
      throw new BuildError(
        `package.json points at npm/${target}, which the build did not write`,
      );
    }
  }
}

if (import.meta.main) {
  try {
    await build();
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`\nbuild:npm failed: ${error.message}`);
    Deno.exit(1);
  }
}
