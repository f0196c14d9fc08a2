/**
 * `deno task postgres:start` starts a throwaway PostgreSQL server for the
 * tests (see `scripts/postgres/server.ts`) and prints
 * `export WEBHOOK_PG_URL=…` and `export WEBHOOK_PG_DIR=…` for a shell to
 * eval; `deno task postgres:stop` stops the one `WEBHOOK_PG_DIR` names.
 *
 * ```sh
 * eval "$(deno task -q postgres:start)"
 * deno task test
 * deno task -q postgres:stop
 * ```
 */
import { findBinaries, startPostgres } from "./postgres/server.ts";

const [command] = Deno.args;
if (command === "start") {
  const server = await startPostgres();
  console.log(`export WEBHOOK_PG_URL='${server.url}'`);
  console.log(`export WEBHOOK_PG_DIR='${server.dir}'`);
} else if (command === "stop") {
  const dir = Deno.env.get("WEBHOOK_PG_DIR");
  if (!dir) {
    console.error("postgres:stop: WEBHOOK_PG_DIR is not set");
    Deno.exit(1);
  }
  const bin = await findBinaries();
  const args = ["stop", "-D", `${dir}/data`, "-m", "fast", "-w"];
  const [cmd, cmdArgs] = Deno.uid() === 0
    ? ["runuser", ["-u", "postgres", "--", `${bin}/pg_ctl`, ...args]]
    : [`${bin}/pg_ctl`, args];
  const { code } = await new Deno.Command(cmd as string, {
    args: cmdArgs as string[],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  await Deno.remove(dir, { recursive: true });
  Deno.exit(code);
} else {
  console.error("usage: deno run -A scripts/postgres.ts start|stop");
  Deno.exit(2);
}
