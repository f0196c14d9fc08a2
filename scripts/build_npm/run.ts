import { BuildError } from "./compile.ts";

/** How {@linkcode run} starts a command. */
export interface RunOptions {
  cwd: string;
  /** Capture standard output and return it, instead of showing it. */
  capture?: boolean;
  /** Variables set for the command, over the inherited environment. */
  env?: Record<string, string>;
}

/**
 * Runs a command to the end, showing its output (or capturing its standard
 * output), and throws a {@linkcode BuildError} naming it if it fails.
 */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<string> {
  const shown = [command, ...args].join(" ");
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args: [...args],
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      stdin: "null",
      stdout: options.capture ? "piped" : "inherit",
      stderr: "inherit",
    }).output();
  } catch (error) {
    throw new BuildError(
      `Cannot run \`${shown}\`: ${(error as Error).message}`,
    );
  }
  if (!output.success) {
    throw new BuildError(
      `\`${shown}\` failed with exit code ${output.code} (in ${options.cwd})`,
    );
  }
  return options.capture ? new TextDecoder().decode(output.stdout) : "";
}
