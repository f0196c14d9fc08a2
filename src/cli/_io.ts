/**
 * Where a command writes: standard output for results, standard error for
 * progress and problems, each knowing whether it is a terminal.
 *
 * @module
 */
import type { NodeProcess } from "./_node.ts";

/** The streams and environment a command runs with. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard output is a terminal. */
  outIsTty: boolean;
  /** Whether standard error is a terminal. */
  errIsTty: boolean;
  /** The process, for stdin, the environment and signals. */
  process: NodeProcess;
}

/** The streams of this process. */
export function processIo(process: NodeProcess): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    outIsTty: process.stdout.isTTY === true,
    errIsTty: process.stderr.isTTY === true,
    process,
  };
}
