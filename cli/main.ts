// Entry point of the `opus` CLI: each command lives in cli/commands/<name>.ts and registers itself here.
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.ts";

const program = new Command("opus")
  .description("Opus: long-form Orthodox theological encyclopedia entries from a local LLM")
  .showHelpAfterError("(run `opus --help` for usage)")
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors exit 2, as documented.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`opus: ${message}\n`);
  process.exit(1);
}
