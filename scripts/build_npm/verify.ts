import { join } from "node:path";
import { BuildError } from "./compile.ts";
import { exportTargets, MIN_NODE_VERSION } from "./package_json.ts";
import { run } from "./run.ts";

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
}

/**
 * Proves the package works as npm delivers it: packs it, installs the tarball
 * into a fresh project in a temporary folder, type-checks a TypeScript
 * consumer under `nodenext` and `bundler` resolution, and runs the Node test
 * suite on this machine's Node.js and on the oldest one `engines` claims.
 * The temporary folder is removed at the end, whatever happened.
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
    await runSuite(project, suite, "node");
    const oldest = await installNode(MIN_NODE_VERSION, join(temp, "oldest"));
    if (oldest) await runSuite(project, suite, oldest);
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
 * tarball installed by `npm install` and pinned `typescript` and
 * `@types/node` for the type check.
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
): Promise<void> {
  const version = (await run(node, ["--version"], {
    cwd: project,
    capture: true,
  })).trim();
  step(`Node test suite on Node.js ${version}: ${files.join(", ")}`);
  await run(node, ["--test", "--test-reporter=spec", ...files], {
    cwd: project,
  });
}

/**
 * Installs the Node.js binary that npm ships as `node-<os>-<arch>` and returns
 * its path, or `undefined` with a notice on a platform it is not shipped for.
 */
async function installNode(
  version: string,
  dir: string,
): Promise<string | undefined> {
  const os = ({ linux: "linux", darwin: "darwin" } as Record<string, string>)[
    Deno.build.os
  ];
  const arch = ({ x86_64: "x64", aarch64: "arm64" } as Record<string, string>)[
    Deno.build.arch
  ];
  if (!os || !arch) {
    console.warn(
      `\nNotice: no Node.js ${version} binary package for ${Deno.build.os}/${Deno.build.arch}; the suite ran on this machine's Node.js only`,
    );
    return undefined;
  }
  const name = `node-${os}-${arch}`;
  step(`Installing Node.js ${version} (${name}) for the oldest-version run`);
  await Deno.mkdir(dir);
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--prefix",
    dir,
    `${name}@${version}`,
  ], { cwd: dir });
  const node = join(dir, "node_modules", name, "bin", "node");
  const actual = (await run(node, ["--version"], { cwd: dir, capture: true }))
    .trim();
  if (actual !== `v${version}`) {
    throw new BuildError(`${name}@${version} runs as Node.js ${actual}`);
  }
  return node;
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
