// `opus login` saves an edge URL and API key as a named profile (checked against the edge first) for
// the client commands; `opus logout` removes one. The file is the user's alone (mode 0600).
import { Writable } from "node:stream";
import type { Command } from "commander";
import { runClient } from "../client/command.ts";
import { UsageError } from "../client/usage-error.ts";

type LoginOptions = { edge?: string; key?: string; profile: string; default?: boolean };

/** The key from stdin: piped (`echo $KEY | opus login ...`), or typed at a prompt without echo. */
async function readKey(): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.split("\n")[0]!.trim();
  }
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  process.stderr.write("API key (not shown): ");
  try {
    return (await rl.question("")).trim();
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("save an edge URL and API key as a profile for the client commands (checked against the edge)")
    .option("--edge <url>", "the edge's base URL (default: OPUS_EDGE_URL)")
    .option("--key <key>", "API key (default: OPUS_API_KEY, else read from stdin or a prompt)")
    .option("--profile <name>", "profile name", "default")
    .option("--default", "make this the default profile (the first one saved is)")
    .action((opts: LoginOptions) =>
      runClient(async () => {
        const { profileNamePattern, profilesPath, saveProfile } = await import("../client/profiles.ts");
        const { edgeUrl } = await import("../client/connection.ts");
        const { ClientError, EdgeClient } = await import("../client/http.ts");
        if (!profileNamePattern.test(opts.profile)) throw new UsageError("--profile must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        const edgeFrom = opts.edge ? "--edge" : "OPUS_EDGE_URL";
        const given = opts.edge ?? process.env.OPUS_EDGE_URL;
        if (!given) throw new UsageError("which edge? pass --edge URL (or set OPUS_EDGE_URL)");
        const base = edgeUrl(given, edgeFrom);
        const key = opts.key ?? process.env.OPUS_API_KEY ?? (await readKey());
        if (!key) throw new UsageError("no API key given: pass --key KEY, set OPUS_API_KEY, or type it at the prompt (an operator creates keys with `opus keys create`)");
        const keyFrom = opts.key ? "--key" : process.env.OPUS_API_KEY ? "OPUS_API_KEY" : "the prompt";
        // Any keyed route checks the key before its scope: 403 means the key is valid, only narrower.
        let note = "";
        try {
          await new EdgeClient({ base, key, edgeFrom, keyFrom }).send("GET", "/v1/entries", { query: { limit: 1 } });
        } catch (error) {
          if (!(error instanceof ClientError) || error.info.status !== 403) throw error;
          note = " (this key cannot read entries: it lacks the \"read\" scope)";
        }
        const file = profilesPath();
        const saved = saveProfile(opts.profile, { edge: base, key }, { makeDefault: opts.default, file });
        const isDefault = saved.default === opts.profile ? ", the default" : `; use it with --profile ${opts.profile}`;
        process.stderr.write(`saved profile "${opts.profile}" for ${base} in ${file}${isDefault}${note}\n`);
      }),
    );

  program
    .command("logout")
    .description("remove a profile saved by `opus login`")
    .option("--profile <name>", "profile name", "default")
    .action((opts: { profile: string }) =>
      runClient(async () => {
        const { profilesPath, removeProfile } = await import("../client/profiles.ts");
        const file = profilesPath();
        if (!removeProfile(opts.profile, file)) throw new UsageError(`no profile "${opts.profile}" in ${file}`);
        process.stderr.write(`removed profile "${opts.profile}" from ${file}\n`);
      }),
    );
}
