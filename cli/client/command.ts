// What every client command shares: the connection options, and one way to end on an error (a
// message on stderr naming the fix, and the documented exit status).
import { InvalidArgumentError, type Command } from "commander";
import { exitCodes } from "./exit-codes.ts";

export type ClientOptions = { edge?: string; key?: string; profile?: string; json?: boolean };

/** Adds --edge, --key, --profile and --json to a client command. */
export function withConnection(command: Command): Command {
  return command
    .option("--edge <url>", "the edge's base URL (default: OPUS_EDGE_URL, else the profile)")
    .option("--key <key>", "API key (default: OPUS_API_KEY, else the profile)")
    .option("--profile <name>", "a connection saved by `opus login` (default: OPUS_PROFILE, else the default profile)")
    .option("--json", "machine-readable output on stdout");
}

export function integerOption(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/**
 * Runs a client command's body. Usage problems exit 2, failed requests 1, each with one line on
 * stderr; anything else goes to the CLI's own handler.
 */
export async function runClient(body: () => Promise<number | void>): Promise<void> {
  const { UsageError } = await import("./usage-error.ts");
  const { ClientError } = await import("./http.ts");
  try {
    const code = await body();
    if (code) process.exitCode = code;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`opus: ${error.message}\n`);
      process.exitCode = exitCodes.usage;
    } else if (error instanceof ClientError) {
      process.stderr.write(`opus: ${error.message}\n`);
      process.exitCode = exitCodes.failure;
    } else {
      throw error;
    }
  }
}

/** The client for a command's options (loaded on use: `opus --help` need not load it). */
export async function clientFor(opts: ClientOptions) {
  const { resolveConnection } = await import("./connection.ts");
  const { EdgeClient } = await import("./http.ts");
  return new EdgeClient(resolveConnection(opts));
}

/** JSON on stdout, one document. */
export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
