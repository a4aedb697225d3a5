// Every CLI command, in the order `opus --help` lists them.
import type { Command } from "commander";
import { registerCorpus } from "./corpus.ts";
import { registerDoctor } from "./doctor.ts";
import { registerEntries } from "./entries.ts";
import { registerGenerate } from "./generate.ts";
import { registerKeys } from "./keys.ts";
import { registerLint } from "./lint.ts";
import { registerLogin } from "./login.ts";
import { registerModels } from "./models.ts";
import { registerNodes } from "./nodes.ts";
import { registerRetry } from "./retry.ts";
import { registerSecret } from "./secret.ts";
import { registerServe } from "./serve.ts";
import { registerSources } from "./sources.ts";
import { registerWebhooks } from "./webhooks.ts";

export function registerCommands(program: Command): void {
  registerGenerate(program);
  registerModels(program);
  // The client of a running edge.
  registerEntries(program);
  registerRetry(program);
  registerWebhooks(program);
  registerNodes(program);
  registerLogin(program);
  registerServe(program);
  registerKeys(program);
  registerSecret(program);
  registerCorpus(program);
  registerSources(program);
  registerDoctor(program);
  registerLint(program);
}
