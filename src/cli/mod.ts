/**
 * The `webhook-delivery` command line: `send` a webhook and watch its
 * attempts, `listen` for webhooks on a local receiver that verifies their
 * signatures and answers with scripted statuses, and inspect and repair a
 * durable `queue` in SQLite or PostgreSQL.
 *
 * ```sh
 * deno run -A jsr:@omoi/webhook-delivery/cli --help
 * npx @omoi/webhook-delivery --help
 * ```
 *
 * Exit codes: 0 delivered or done, 1 not delivered, not found or failed,
 * 2 usage error. It runs on Deno, Node.js ≥ 20 and Bun, with Node.js
 * built-ins only.
 *
 * @example Running a command from code
 * ```ts ignore
 * import { main } from "@omoi/webhook-delivery/cli";
 *
 * const code = await main(["send", "http://127.0.0.1:8788/hooks", "--data", "{}"]);
 * ```
 *
 * @module
 */
import { EXIT, UsageError } from "./_args.ts";
import { type CliIo, processIo } from "./_io.ts";
import { node } from "./_node.ts";
import { printable } from "./_printable.ts";
import { VERSION } from "../send/_version.ts";
import { listenCommand } from "./listen_command.ts";
import { queueCommand } from "./queue_command.ts";
import { sendCommand } from "./send_command.ts";

/** The help of the command itself. */
const HELP = `Usage: webhook-delivery <command> [options]

Commands:
  send <url>     POST a JSON payload with retries and watch each attempt
  listen         run a local receiver that prints and verifies webhooks
  queue          inspect and repair a durable queue (SQLite or PostgreSQL):
                 stats, list, show, replay, enable, disable

Run webhook-delivery <command> --help for its options.

Exit codes:
  0  delivered, or the command succeeded
  1  not delivered, not found, or the operation failed
  2  usage error: unknown command or option, missing or malformed value
`;

/**
 * The exit code of a command: `0` delivered or done, `1` not delivered, not
 * found or failed, `2` a usage error.
 *
 * @example
 * ```ts
 * import type { ExitCode } from "@omoi/webhook-delivery/cli";
 *
 * const code: ExitCode = 2; // a usage error
 * ```
 */
export type ExitCode = 0 | 1 | 2;

/**
 * Runs the command line with `args` (what follows the program's name), on
 * this process's standard streams, and resolves its exit code; it never
 * rejects and never exits the process. Run as a program, this module calls
 * it with the process's arguments and sets `process.exitCode`.
 *
 * @example Printing the help
 * ```ts ignore
 * import { main } from "@omoi/webhook-delivery/cli";
 *
 * const code = await main(["--help"]); // prints the commands
 * console.log(code); // 0
 * ```
 *
 * @param args The arguments, without the runtime's and the script's paths.
 * @returns The exit code.
 */
export async function main(args: readonly string[]): Promise<ExitCode> {
  const builtins = await node();
  const io = processIo(builtins.process);
  try {
    return await run(args, io) as ExitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`webhook-delivery: ${printable(error.message)}\n`);
      io.err("Run webhook-delivery --help for usage.\n");
      return EXIT.usage;
    }
    io.err(
      `webhook-delivery: ${
        printable(error instanceof Error ? error.message : String(error))
      }\n`,
    );
    return EXIT.failed;
  }
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  const builtins = await node();
  switch (command) {
    case "send":
      return await sendCommand(rest, io, builtins);
    case "listen":
      return await listenCommand(rest, io, builtins);
    case "queue":
      return await queueCommand(rest, io, builtins);
    case "help":
    case "--help":
    case "-h":
      io.out(HELP);
      return EXIT.ok;
    case "--version":
    case "-V":
      io.out(`${VERSION}\n`);
      return EXIT.ok;
    case undefined:
      io.err(HELP);
      return EXIT.usage;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  const { process } = await node();
  process.exitCode = await main(process.argv.slice(2));
}
