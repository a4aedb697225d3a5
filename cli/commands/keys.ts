// `opus keys create`: the way to mint API keys (printed once; only their hash is stored).
import { InvalidArgumentError, type Command } from "commander";
import { createApiKey, scopes, type Scope } from "../../edge/auth.ts";
import { openEdgeDb } from "../../edge/node.ts";
import { defaultDbUrl } from "../defaults.ts";

function parseScopes(value: string): Scope[] {
  const list = value.split(",").map((s) => s.trim());
  const bad = list.filter((s) => !(scopes as readonly string[]).includes(s));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown scope ${bad.join(", ")}; choose from ${scopes.join(", ")}`);
  return list as Scope[];
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("manage API keys");
  keys
    .command("create")
    .description("create an API key and print it (it is shown only once)")
    .requiredOption("--name <name>", "who or what the key is for")
    .option("--scopes <list>", `comma-separated scopes (${scopes.join(", ")})`, parseScopes, [...scopes])
    .option("--db <url>", "edge database (default: OPUS_DB_URL or file:.opus/edge.db)")
    .option("--json", "print {id, key} as JSON")
    .action(async (opts: { name: string; scopes: Scope[]; db?: string; json?: boolean }) => {
      const { client, db } = await openEdgeDb(opts.db ?? defaultDbUrl(), process.env.OPUS_DB_TOKEN);
      try {
        const { id, key } = await createApiKey(db, opts.name, opts.scopes);
        process.stdout.write(opts.json ? `${JSON.stringify({ id, key, scopes: opts.scopes })}\n` : `${key}\n`);
        if (!opts.json) process.stderr.write(`created ${id} (${opts.name}, scopes: ${opts.scopes.join(", ")}); store the key now, it is not shown again\n`);
      } finally {
        client.close();
      }
    });
}
