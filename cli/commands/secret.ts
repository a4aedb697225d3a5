import type { Command } from "commander";
import { newSigningSecret } from "../../shared/api/signing.ts";

export function registerSecret(program: Command): void {
  program
    .command("secret")
    .description("print a new signing secret (whsec_...) for OPUS_NODE_SECRET")
    .action(() => {
      process.stdout.write(`${newSigningSecret()}\n`);
    });
}
