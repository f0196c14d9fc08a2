/**
 * A throwaway PostgreSQL server from Debian's `postgresql` package, for tests
 * and benchmarks: `initdb` into a temporary directory, listening only on
 * 127.0.0.1 on a free port, run as the `postgres` user when this process is
 * root (the server refuses to run as root), stopped and removed afterwards.
 *
 * @module
 */

/** A running server and how to control it. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  url: string;
  /** The data directory's parent, removed by `stop()`. */
  dir: string;
  /** Restarts the server on the same port (`pg_ctl restart`). */
  restart(): Promise<void>;
  /**
   * Stops the server as an operator would (`pg_ctl stop -m fast`: sessions
   * are ended, committed data kept), leaving its data directory and port for
   * {@linkcode PostgresServer.startAgain}.
   */
  shutdown(): Promise<void>;
  /** Starts again a server that `shutdown()` stopped, on the same port and data. */
  startAgain(): Promise<void>;
  /** Stops the server at once and removes its files. */
  stop(): Promise<void>;
  /** The same, synchronously, for an `unload` handler. */
  stopSync(): void;
}

const HOW_TO_INSTALL =
  "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install them with `apt-get install -y postgresql` (Debian/Ubuntu) or set WEBHOOK_PG_BIN to the directory that holds them, or set WEBHOOK_PG_URL to a server of your own";

/** The directory holding `initdb` and `pg_ctl`, or an Error saying how to install them. */
export async function findBinaries(): Promise<string> {
  const candidates = [
    Deno.env.get("WEBHOOK_PG_BIN"),
    ...await versionDirs("/usr/lib/postgresql"),
    "/usr/local/bin",
    "/usr/bin",
  ];
  for (const dir of candidates) {
    if (dir && await exists(`${dir}/initdb`) && await exists(`${dir}/pg_ctl`)) {
      return dir;
    }
  }
  throw new Error(HOW_TO_INSTALL);
}

/** Starts a fresh server; the caller stops it. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = await findBinaries();
  const asRoot = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "webhook-pg-" });
  try {
    return await startIn(bin, dir, asRoot);
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

async function startIn(
  bin: string,
  dir: string,
  asRoot: boolean,
): Promise<PostgresServer> {
  const data = `${dir}/data`;
  if (asRoot) await run("chown", ["postgres:postgres", dir]);
  const port = freePort();
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", `${bin}/${tool}`, ...args])
      : run(`${bin}/${tool}`, args);
  await pg("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c max_connections=200",
  ].join(" ");
  const ctl = (action: string) =>
    pg("pg_ctl", [
      action,
      "-D",
      data,
      "-w",
      "-t",
      "30",
      "-m",
      "fast",
      "-l",
      `${dir}/server.log`,
      "-o",
      options,
    ]);
  await ctl("start");
  let stopped = false;
  const stopArgs = ["stop", "-D", data, "-m", "immediate", "-w"];
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    restart: () => ctl("restart"),
    shutdown: () => ctl("stop"),
    startAgain: () => ctl("start"),
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl("stop").catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      const [command, args] = asRoot
        ? ["runuser", ["-u", "postgres", "--", `${bin}/pg_ctl`, ...stopArgs]]
        : [`${bin}/pg_ctl`, stopArgs];
      new Deno.Command(command as string, {
        args: args as string[],
        stdout: "null",
        stderr: "null",
      }).outputSync();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function run(command: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const text = new TextDecoder().decode(stderr) ||
      new TextDecoder().decode(stdout);
    throw new Error(`${command} ${args.join(" ")} failed (${code}): ${text}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function versionDirs(root: string): Promise<string[]> {
  const dirs: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory) dirs.push(`${root}/${entry.name}/bin`);
    }
  } catch {
    return [];
  }
  return dirs.sort().reverse();
}
