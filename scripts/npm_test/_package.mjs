// What the suite knows about the package under test, as npm installed it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as esm from "@omoi/webhook-delivery";

export const NAME = "@omoi/webhook-delivery";

/** The installed package's own package.json. */
export const installedPackageJson = JSON.parse(
  readFileSync(
    new URL(`./node_modules/${NAME}/package.json`, import.meta.url),
    "utf8",
  ),
);

/** Subpath (".") to the names of the runtime values deno.json's module exports. */
export const expectedExports = JSON.parse(
  readFileSync(new URL("./expected_exports.json", import.meta.url), "utf8"),
);

/** `require` as a CommonJS module of this project has it. */
export const require = createRequire(import.meta.url);

/** The package specifier of a subpath: "." is the bare name. */
export function specifier(subpath) {
  return subpath === "." ? NAME : `${NAME}${subpath.slice(1)}`;
}

/** Both builds of the package, each with a name for test titles. */
export const builds = [
  ["ES module build (import)", esm],
  ["CommonJS build (require)", require(NAME)],
];
