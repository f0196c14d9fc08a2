import { fileURLToPath } from "node:url";

/** The repository root: the folder of `deno.json`. */
export const ROOT: string = fileURLToPath(new URL("../..", import.meta.url));

/** The parts of `deno.json` that the npm build reads. */
export interface DenoConfig {
  name: string;
  version: string;
  license: string;
  /** Subpath (`"."`, `"./sub"`) to the module it names (`"./mod.ts"`). */
  exports: Record<string, string>;
  /** The `compilerOptions` both `deno check` and the npm build apply. */
  compilerOptions: Record<string, unknown>;
  /** The version of the npm `typescript` package in `imports`. */
  typescriptVersion: string;
  /**
   * The version of node-postgres (`pg`) in `imports`, which the Node suite's
   * PostgreSQL test installs beside the tarball: the same one the Deno tests
   * use.
   */
  pgVersion: string;
}

/**
 * Reads and checks `deno.json`, the one source of truth for the name, the
 * version, the entry points and the compiler's strictness of both packages.
 */
export async function readDenoConfig(root: string = ROOT): Promise<DenoConfig> {
  const path = `${root}/deno.json`;
  const json = JSON.parse(await Deno.readTextFile(path));
  return parseDenoConfig(json, path);
}

/** Checks the shape of a parsed `deno.json`; `source` names it in errors. */
export function parseDenoConfig(json: unknown, source: string): DenoConfig {
  if (typeof json !== "object" || json === null) {
    throw new TypeError(`Cannot read ${source}: it is not a JSON object`);
  }
  const config = json as Record<string, unknown>;
  const text = (key: string): string => {
    const value = config[key];
    if (typeof value !== "string" || value === "") {
      throw new TypeError(
        `Cannot read ${source} as '${key}' must be a non-empty string: current value is ${
          JSON.stringify(value)
        }`,
      );
    }
    return value;
  };

  const rawExports = config.exports;
  const exports: Record<string, string> = typeof rawExports === "string"
    ? { ".": rawExports }
    : { ...(rawExports as Record<string, string> | undefined) };
  const entries = Object.entries(exports);
  if (
    entries.length === 0 ||
    entries.some(([subpath, path]) =>
      !(subpath === "." || subpath.startsWith("./")) ||
      typeof path !== "string" || !/^\.\/.+\.ts$/.test(path)
    )
  ) {
    throw new TypeError(
      `Cannot read ${source} as 'exports' must map "." or "./name" to "./file.ts" paths: current value is ${
        JSON.stringify(rawExports)
      }`,
    );
  }

  const imports = (config.imports ?? {}) as Record<string, unknown>;
  const pinned = (name: string, example: string): string => {
    const version = new RegExp(`^npm:${name}@(\\d+\\.\\d+\\.\\d+)$`).exec(
      String(imports[name] ?? ""),
    )?.[1];
    if (!version) {
      throw new TypeError(
        `Cannot read ${source} as 'imports.${name}' must pin an exact version, as in "npm:${name}@${example}": current value is ${
          JSON.stringify(imports[name])
        }`,
      );
    }
    return version;
  };

  return {
    name: text("name"),
    version: text("version"),
    license: text("license"),
    exports,
    compilerOptions: {
      ...(config.compilerOptions as Record<string, unknown> | undefined),
    },
    typescriptVersion: pinned("typescript", "6.0.3"),
    pgVersion: pinned("pg", "8.23.1"),
  };
}
