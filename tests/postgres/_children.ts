/** Child processes of the Postgres tests, read line by line, always reaped. */

/** A running child and what it printed. */
export interface Child extends AsyncDisposable {
  /** Every line printed so far. */
  readonly lines: string[];
  /** What it wrote to stderr so far (a clean run writes nothing). */
  readonly stderr: string;
  /** Resolves when a line starting with `prefix` is printed; rejects if the child ends first. */
  printed(prefix: string): Promise<string>;
  /** Closes its stdin (a worker then closes its queue) and waits for its exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL, then waits until it is gone and its output read. */
  kill(): Promise<void>;
  /** Its exit, once its output is read. */
  done(): Promise<Deno.CommandStatus>;
}

/** Starts `script` with `deno run` and the permissions the children need. */
export function spawnChild(script: URL, args: string[]): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      script.pathname,
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let stderr = "";
  let waiters: { prefix: string; resolve(line: string): void }[] = [];
  const reading = (async () => {
    let buffered = "";
    for await (
      const chunk of process.stdout.pipeThrough(new TextDecoderStream())
    ) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        waiters = waiters.filter((waiter) => {
          if (!line.startsWith(waiter.prefix)) return true;
          waiter.resolve(line);
          return false;
        });
      }
    }
  })();
  const readingErrors = (async () => {
    for await (
      const chunk of process.stderr.pipeThrough(new TextDecoderStream())
    ) stderr += chunk;
  })();
  const writer = process.stdin.getWriter();
  let stdinClosed = false;
  const closeStdin = async () => {
    if (stdinClosed) return;
    stdinClosed = true;
    await writer.close().catch(() => {});
  };
  const done = async () => {
    const status = await process.status;
    await closeStdin();
    await reading;
    await readingErrors;
    return status;
  };
  const ended = done();
  return {
    lines,
    get stderr() {
      return stderr;
    },
    printed(prefix) {
      const line = lines.find((l) => l.startsWith(prefix));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiters.push({ prefix, resolve });
        ended.then((status) =>
          reject(
            new Error(
              `${
                script.pathname.split("/").at(-1)
              } exited (${status.code}) before printing "${prefix}": ${stderr}`,
            ),
          )
        );
      });
    },
    async stop() {
      await closeStdin();
      return await ended;
    },
    async kill() {
      try {
        process.kill("SIGKILL");
      } catch {
        // It ended already.
      }
      await ended;
    },
    done: () => ended,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGKILL");
      } catch {
        // It ended already.
      }
      await ended;
    },
  };
}
