import { join } from "node:path";
import { BuildError } from "./compile.ts";
import { exportTargets } from "./package_json.ts";
import { run } from "./run.ts";
import { TESTED_BUN_VERSION, TESTED_NODE_VERSIONS } from "./runtimes.ts";

/**
 * `@types/node` for the consumer type check: the major line of the oldest
 * supported Node.js, whose globals a Node project without the DOM library
 * sees.
 */
export const TYPES_NODE_VERSION = "20.19.43";

/**
 * The oldest TypeScript whose consumers the declarations serve. They import
 * their siblings with `.ts` extensions, as `rewriteRelativeImportExtensions`
 * leaves them, which TypeScript resolves from 5.0 on; `WebhookQueue` is
 * `AsyncDisposable`, which TypeScript knows from 5.2 on (with the
 * `esnext.disposable` library, or `@types/node`).
 */
export const OLDEST_TYPESCRIPT_VERSION = "5.2.2";

/** What {@linkcode verifyInNode} checks. */
export interface VerifyOptions {
  /** The built package, `npm/`. */
  packageDir: string;
  packageJson: Record<string, unknown>;
  /** The Node test suite and the consumer fixtures: `scripts/npm_test/`. */
  suiteDir: string;
  /** Subpath (`"."`) to the names of the runtime values it must export. */
  expectedExports: Record<string, string[]>;
  /** The TypeScript that compiled the package; the consumer is checked with it too. */
  typescriptVersion: string;
  /** The node-postgres (`pg`) installed beside the tarball for `postgres.mjs`. */
  pgVersion: string;
  /**
   * The PostgreSQL server the suite's `postgres.mjs` uses, passed to every
   * run as `WEBHOOK_PG_URL`.
   */
  postgresUrl: string;
  /**
   * Where the pinned runtimes are installed and found again on later runs,
   * one folder per package and version: `.cache/runtimes/`.
   */
  runtimesDir: string;
}

/**
 * Proves the package works as npm delivers it: packs it, installs the tarball
 * into a fresh project in a temporary folder, type-checks a TypeScript
 * consumer under `nodenext` and `bundler` resolution, and runs the Node test
 * suite on this machine's Node.js, on each of {@linkcode TESTED_NODE_VERSIONS}
 * and on Bun ({@linkcode TESTED_BUN_VERSION}, with `bun test`, which runs
 * `node:test` suites). The temporary folder is removed at the end, whatever
 * happened.
 */
export async function verifyInNode(options: VerifyOptions): Promise<void> {
  const temp = await Deno.makeTempDir({ prefix: "webhook-delivery-npm-" });
  try {
    const tarball = await pack(options.packageDir, temp, options.packageJson);
    const project = join(temp, "project");
    await createProject(project, tarball, options);

    await typeCheckConsumer(project, [
      ["typescript", options.typescriptVersion],
      ["typescript-oldest", OLDEST_TYPESCRIPT_VERSION],
    ]);

    const suite = await suiteFiles(project);
    const env = { WEBHOOK_PG_URL: options.postgresUrl };
    await runSuite(project, suite, "node", env);
    for (const version of TESTED_NODE_VERSIONS) {
      const node = await installNode(version, options.runtimesDir);
      if (node) await runSuite(project, suite, node, env);
    }
    const bun = await installBun(TESTED_BUN_VERSION, options.runtimesDir);
    if (bun) await runSuiteOnBun(project, suite, bun, env);
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
}

function step(title: string): void {
  console.log(`\n== ${title}`);
}

/** Packs the package with `npm pack` and checks what went into the tarball. */
async function pack(
  packageDir: string,
  destination: string,
  packageJson: Record<string, unknown>,
): Promise<string> {
  step("Packing npm/ with npm pack");
  const json = await run(
    "npm",
    ["pack", "--json", "--loglevel=warn", "--pack-destination", destination],
    { cwd: packageDir, capture: true },
  );
  const [packed] = JSON.parse(json) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packed) throw new BuildError("npm pack reported no tarball");
  const files = new Set(packed.files.map((file) => file.path));
  const missing = [
    "package.json",
    "README.md",
    "LICENSE",
    ...exportTargets(packageJson),
  ].filter((path) => !files.has(path));
  if (missing.length > 0) {
    throw new BuildError(
      `The tarball lacks files that package.json promises: ${
        missing.join(", ")
      }`,
    );
  }
  const stray = [...files].filter((path) =>
    /(^|\/)(tests?|scripts|benches)\/|_test\.|_bench\./.test(path)
  );
  if (stray.length > 0) {
    throw new BuildError(
      `The tarball holds test or build files: ${stray.join(", ")}`,
    );
  }
  console.log(`${packed.filename}: ${files.size} files`);
  return join(destination, packed.filename);
}

/**
 * A fresh project holding the test suite and the consumer fixtures, with the
 * tarball installed by `npm install`, pinned `typescript` and `@types/node`
 * for the type check, and the pinned `pg` for `postgres.mjs` (a consumer's
 * own dependency: the package declares none).
 */
async function createProject(
  project: string,
  tarball: string,
  options: VerifyOptions,
): Promise<void> {
  step("Installing the tarball into a fresh project");
  await Deno.mkdir(project);
  await copyDir(options.suiteDir, project);
  await writeJson(join(project, "package.json"), {
    name: "webhook-delivery-npm-check",
    private: true,
    type: "module",
  });
  await writeJson(
    join(project, "expected_exports.json"),
    options.expectedExports,
  );
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--save-exact",
    tarball,
    `typescript@${options.typescriptVersion}`,
    `typescript-oldest@npm:typescript@${OLDEST_TYPESCRIPT_VERSION}`,
    `@types/node@${TYPES_NODE_VERSION}`,
    `pg@${options.pgVersion}`,
  ], { cwd: project });
}

/**
 * Type-checks the consumer fixtures with `tsc --noEmit` as a Node.js project
 * (`nodenext`) and as a bundled one (`bundler`), with each TypeScript
 * installed under the given package name.
 */
async function typeCheckConsumer(
  project: string,
  compilers: readonly [packageName: string, version: string][],
): Promise<void> {
  for (const [packageName, version] of compilers) {
    for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
      step(`Type-checking the consumer: TypeScript ${version}, ${config}`);
      await run("node", [
        `node_modules/${packageName}/bin/tsc`,
        "--project",
        `consumer/${config}`,
      ], { cwd: project });
    }
  }
}

/** The test files of the suite: its `*.mjs` and `*.cjs` not starting with `_`. */
async function suiteFiles(project: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(project)) {
    if (entry.isFile && /^[^_].*\.[cm]js$/.test(entry.name)) {
      files.push(entry.name);
    }
  }
  return files.sort();
}

/** Runs the suite's test files with `node --test` on the given Node.js. */
async function runSuite(
  project: string,
  files: readonly string[],
  node: string,
  env: Record<string, string>,
): Promise<void> {
  const version = (await run(node, ["--version"], {
    cwd: project,
    capture: true,
  })).trim();
  step(`Node test suite on Node.js ${version}: ${files.join(", ")}`);
  await run(node, ["--test", "--test-reporter=spec", ...files], {
    cwd: project,
    env,
  });
}

/** Runs the suite's test files with `bun test` on the given Bun. */
async function runSuiteOnBun(
  project: string,
  files: readonly string[],
  bun: string,
  env: Record<string, string>,
): Promise<void> {
  step(`Node test suite on Bun ${TESTED_BUN_VERSION}: ${files.join(", ")}`);
  // `./` makes each argument a path, where a bare name would be a filter.
  await run(bun, ["test", ...files.map((file) => `./${file}`)], {
    cwd: project,
    env,
  });
}

/**
 * The npm package name of the Node.js binary for this machine,
 * `node-<os>-<arch>`, or `undefined` on a platform npm ships none for.
 */
function nodePackageName(): string | undefined {
  const os = ({ linux: "linux", darwin: "darwin" } as Record<string, string>)[
    Deno.build.os
  ];
  const arch = ({ x86_64: "x64", aarch64: "arm64" } as Record<string, string>)[
    Deno.build.arch
  ];
  return os && arch ? `node-${os}-${arch}` : undefined;
}

/**
 * Installs the Node.js binary that npm ships as `node-<os>-<arch>` into
 * `<runtimesDir>/<name>@<version>/`, or finds it there from an earlier run,
 * and returns its path; `undefined`, with a notice, on a platform it is not
 * shipped for.
 */
async function installNode(
  version: string,
  runtimesDir: string,
): Promise<string | undefined> {
  const name = nodePackageName();
  if (!name) {
    console.warn(
      `\nNotice: no Node.js ${version} binary package for ${Deno.build.os}/${Deno.build.arch}; the suite did not run on it`,
    );
    return undefined;
  }
  return await installRuntime({
    label: `Node.js ${version}`,
    spec: `${name}@${version}`,
    dir: join(runtimesDir, `${name}@${version}`),
    binaries: [join("node_modules", name, "bin", "node")],
    expectedVersion: `v${version}`,
  });
}

/**
 * Installs Bun from its npm package into `<runtimesDir>/bun@<version>/`, or
 * finds it there; `undefined`, with a notice, where there is none. The
 * package's install script moves the binary of this platform's
 * `@oven/bun-<os>-<arch>` into `node_modules/.bin/`; where install scripts
 * do not run, the binary stays in that package.
 */
async function installBun(
  version: string,
  runtimesDir: string,
): Promise<string | undefined> {
  const name = nodePackageName();
  if (!name) {
    console.warn(
      `\nNotice: Bun ${version} is not tested on ${Deno.build.os}/${Deno.build.arch}`,
    );
    return undefined;
  }
  return await installRuntime({
    label: `Bun ${version}`,
    spec: `bun@${version}`,
    dir: join(runtimesDir, `bun@${version}`),
    binaries: [
      join("node_modules", ".bin", "bun"),
      join(
        "node_modules",
        "@oven",
        name.replace("node-", "bun-"),
        "bin",
        "bun",
      ),
    ],
    expectedVersion: version,
  });
}

/** What {@linkcode installRuntime} installs, and how to tell it works. */
interface RuntimeSpec {
  label: string;
  /** The npm package and exact version, `name@1.2.3`. */
  spec: string;
  /** Its own folder in the cache, used as `npm install --prefix`. */
  dir: string;
  /** Where the executable may be, relative to `dir`; the first that runs wins. */
  binaries: readonly string[];
  /** What `<binary> --version` prints. */
  expectedVersion: string;
}

/**
 * Returns the cached runtime when it answers `--version` as expected, and
 * installs it with `npm install --prefix` otherwise.
 */
async function installRuntime(runtime: RuntimeSpec): Promise<string> {
  const cached = await findBinary(runtime);
  if (cached) {
    console.log(`\n${runtime.label}: cached in ${runtime.dir}`);
    return cached;
  }
  step(`Installing ${runtime.label} (${runtime.spec}) into ${runtime.dir}`);
  await Deno.remove(runtime.dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(runtime.dir, { recursive: true });
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--prefix",
    runtime.dir,
    runtime.spec,
  ], { cwd: runtime.dir });
  const installed = await findBinary(runtime);
  if (!installed) {
    throw new BuildError(
      `${runtime.spec} installed no binary that runs as ${runtime.expectedVersion} (looked for ${
        runtime.binaries.join(", ")
      } in ${runtime.dir})`,
    );
  }
  return installed;
}

/** The first of the runtime's binaries that answers its expected version. */
async function findBinary(runtime: RuntimeSpec): Promise<string | undefined> {
  for (const relative of runtime.binaries) {
    const binary = join(runtime.dir, relative);
    if (await versionOf(binary, runtime.dir) === runtime.expectedVersion) {
      return binary;
    }
  }
  return undefined;
}

/** What `<binary> --version` prints, or `undefined` when it does not run. */
async function versionOf(
  binary: string,
  cwd: string,
): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(binary, {
      args: ["--version"],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return output.success
      ? new TextDecoder().decode(output.stdout).trim()
      : undefined;
  } catch {
    return undefined;
  }
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) await copyDir(source, target);
    else await Deno.copyFile(source, target);
  }
}

/** Writes `value` as indented JSON with a final newline. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}
