// Every CLI command, in the order `opus --help` lists them.
import type { Command } from "commander";
import { registerGenerate } from "./generate.ts";
import { registerKeys } from "./keys.ts";
import { registerSecret } from "./secret.ts";
import { registerServe } from "./serve.ts";

export function registerCommands(program: Command): void {
  registerGenerate(program);
  registerServe(program);
  registerKeys(program);
  registerSecret(program);
}
