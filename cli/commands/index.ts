// Every CLI command, in the order `opus --help` lists them.
import type { Command } from "commander";
import { registerCorpus } from "./corpus.ts";
import { registerDoctor } from "./doctor.ts";
import { registerGenerate } from "./generate.ts";
import { registerKeys } from "./keys.ts";
import { registerLint } from "./lint.ts";
import { registerSecret } from "./secret.ts";
import { registerServe } from "./serve.ts";

export function registerCommands(program: Command): void {
  registerGenerate(program);
  registerServe(program);
  registerKeys(program);
  registerSecret(program);
  registerCorpus(program);
  registerDoctor(program);
  registerLint(program);
}
