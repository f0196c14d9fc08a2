/**
 * Runs the real command line, `deno run -A src/cli/mod.ts …`, as a child
 * process, the way a person or a script does.
 */
import { fileURLToPath } from "node:url";

/** The entry point under test. */
export const CLI = fileURLToPath(
  new URL("../../src/cli/mod.ts", import.meta.url),
);

/** What a finished command left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode runCli}. */
export interface RunOptions {
  /** Text for standard input; without it, stdin is closed (`null`). */
  stdin?: string;
  env?: Record<string, string>;
}

function command(
  args: readonly string[],
  options: RunOptions,
  stdin: "piped" | "null",
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, ...args],
    stdin,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", WEBHOOK_SECRET: "", ...options.env },
  });
}

/** Runs the command to its end. */
export async function runCli(
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliResult> {
  const child = command(
    args,
    options,
    options.stdin === undefined ? "null" : "piped",
  ).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A running `listen`. */
export interface Listener extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/` as its ready line gave it. */
  url: string;
  /** Standard output so far. */
  stdout(): string;
  /** Resolves once standard output holds `count` occurrences of `text`. */
  waitForOutput(text: string, count?: number): Promise<void>;
  /** Sends the signal (SIGTERM) and resolves the exit code and the whole output. */
  stop(signal?: "SIGTERM" | "SIGINT"): Promise<CliResult>;
}

/** Starts `listen` with `args` (and `--port 0`), resolved once it is ready. */
export async function startListener(
  args: readonly string[],
): Promise<Listener> {
  const child = command(["listen", "--port", "0", ...args], {}, "null").spawn();
  const decoder = new TextDecoder();
  let stdout = "";
  let stderr = "";
  let changed = Promise.withResolvers<void>();
  const pump = async (
    stream: ReadableStream<Uint8Array>,
    add: (text: string) => void,
  ) => {
    for await (const chunk of stream) {
      add(decoder.decode(chunk, { stream: true }));
      changed.resolve();
      changed = Promise.withResolvers<void>();
    }
  };
  const pumps = Promise.all([
    pump(child.stdout, (text) => stdout += text),
    pump(child.stderr, (text) => stderr += text),
  ]);
  const status = child.status;
  const waitFor = async (check: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!check()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        changed.promise.then(() => false),
        status.then(() => true),
        new Promise<boolean>((resolve) =>
          timer = setTimeout(() => resolve(false), 100)
        ),
      ]);
      clearTimeout(timer);
      if (exited && !check()) {
        throw new Error(`listen exited before ${what}:\n${stdout}\n${stderr}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what}:\n${stdout}\n${stderr}`);
      }
    }
  };
  await waitFor(
    () => /Listening on http:\/\/127\.0\.0\.1:\d+\//.test(stderr),
    "the ready line",
  );
  const url = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)![1]!;
  let stopped: Promise<CliResult> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM"): Promise<CliResult> =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      const { code } = await status;
      await pumps;
      return { code, stdout, stderr };
    })();
  return {
    url,
    stdout: () => stdout,
    waitForOutput: (text, count = 1) =>
      waitFor(
        () => stdout.split(text).length - 1 >= count,
        `${count} × ${JSON.stringify(text)}`,
      ),
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}
