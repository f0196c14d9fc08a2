/**
 * The Node.js built-in modules the command line uses, loaded on first use
 * with specifiers held in variables, and typed here by the little of them it
 * needs. That keeps the library's npm build free of Node.js's types and lets
 * the same code run on Deno, Node.js and Bun.
 *
 * @module
 */

/** A writable standard stream. */
export interface NodeWritable {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Standard input. */
export interface NodeReadable extends AsyncIterable<Uint8Array | string> {
  isTTY?: boolean;
}

/** What the command line uses of `node:process`. */
export interface NodeProcess {
  argv: string[];
  env: Record<string, string | undefined>;
  exitCode?: number | string | undefined;
  stdout: NodeWritable;
  stderr: NodeWritable;
  stdin: NodeReadable;
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

/** One option of `node:util`'s `parseArgs`. */
export interface ParseArgsOption {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
}

/** What the command line uses of `node:util`. */
export interface NodeUtil {
  parseArgs(config: {
    args: string[];
    options: Record<string, ParseArgsOption>;
    allowPositionals: boolean;
    strict: boolean;
  }): {
    values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    positionals: string[];
  };
}

/** What the command line uses of `node:fs/promises`. */
export interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<{ isFile(): boolean }>;
}

/** An incoming request of `node:http`. */
export interface NodeIncomingMessage extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
}

/** A response of `node:http`. */
export interface NodeServerResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** A server of `node:http`. */
export interface NodeServer {
  listen(port: number, host: string, callback: () => void): unknown;
  address(): { port: number } | string | null;
  close(callback?: (error?: Error) => void): unknown;
  closeAllConnections?(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** What the command line uses of `node:http`. */
export interface NodeHttp {
  createServer(
    listener: (
      request: NodeIncomingMessage,
      response: NodeServerResponse,
    ) => void,
  ): NodeServer;
}

/** The built-ins, loaded. */
export interface NodeBuiltins {
  process: NodeProcess;
  util: NodeUtil;
  fs: NodeFs;
}

let builtins: Promise<NodeBuiltins> | undefined;

/** Imports `node:<name>`; the specifier is built so no type checker follows it. */
function builtin(name: string): Promise<Record<string, unknown>> {
  const specifier = `node:${name}`;
  return import(specifier);
}

/** `node:process`, `node:util` and `node:fs/promises`, loaded once. */
export function node(): Promise<NodeBuiltins> {
  return builtins ??= (async () => {
    const [process, util, fs] = await Promise.all([
      builtin("process"),
      builtin("util"),
      builtin("fs/promises"),
    ]);
    return {
      process: (process.default ?? process) as NodeProcess,
      util: util as unknown as NodeUtil,
      fs: fs as unknown as NodeFs,
    };
  })();
}

/** `node:http`, loaded only by `listen`. */
export async function nodeHttp(): Promise<NodeHttp> {
  return (await builtin("http")) as unknown as NodeHttp;
}
