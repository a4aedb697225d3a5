// `opus retry <id>`: resumes a failed entry from its checkpoints (POST /v1/entries/:id/retry),
// keeping every word it had written. Against a running edge (--edge/--key, OPUS_EDGE_URL or
// --profile) it queues the entry again and says how to follow it; without one, it runs the embedded
// default (the edge on .opus/edge.db and a GPU node, as `opus generate` does), follows the entry to
// its end and writes it to a file, exiting as `opus generate` does (1 when it failed again).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { clientFor, integerOption, printJson, runClient, withConnection, type ClientOptions } from "../client/command.ts";
import { exitCodes } from "../client/exit-codes.ts";
import type { EntryStatusView } from "../client/types.ts";
import { slugify } from "./generate.ts";

type RetryOptions = ClientOptions & { pollMs: number; out: string; config?: string };

export function registerRetry(program: Command): void {
  withConnection(
    program
      .command("retry")
      .description("resume a failed entry from its checkpoints, keeping what it had written (embedded default, or --edge to queue it on a running edge)")
      .argument("<id>", "entry id (ent_...)")
      .option("--poll-ms <ms>", "status polling interval (embedded default)", integerOption("--poll-ms", 50, 60_000), 250)
      .option("--out <dir>", "folder for the finished entry (embedded default)", "entries")
      .option("--config <file>", "GPU node configuration file (embedded default)"),
  ).action((id: string, opts: RetryOptions) =>
    runClient(async () => {
      const { segment } = await import("../client/http.ts");
      const route = `/v1/entries/${segment(id)}/retry`;
      if (opts.edge || opts.profile || process.env.OPUS_EDGE_URL) {
        const status = await (await clientFor(opts)).json<EntryStatusView>("POST", route);
        if (opts.json) printJson(status);
        else process.stdout.write(`${status.id}: ${status.status} again (${status.words} words kept); follow it with \`opus watch ${status.id}\`\n`);
        return;
      }
      return retryEmbedded(id, route, opts);
    }),
  );
}

async function retryEmbedded(id: string, route: string, opts: RetryOptions): Promise<number> {
  const { startEmbedded } = await import("../embedded.ts");
  const { EdgeClient } = await import("../client/http.ts");
  const { followEntry } = await import("../client/follow.ts");
  const { progressMode, progressView } = await import("../client/progress.ts");
  const system = await startEmbedded({ json: Boolean(opts.json), config: opts.config });
  const view = progressView(progressMode(Boolean(opts.json)));
  try {
    const client = new EdgeClient({ base: system.edge.url, key: system.key, edgeFrom: "the embedded edge", keyFrom: "the embedded edge" });
    const queued = await client.json<EntryStatusView>("POST", route);
    if (!opts.json) process.stderr.write(`${queued.id}: resuming "${queued.subject}" from its checkpoints (${queued.words} words kept)\n`);
    const final = await followEntry(client, id, { pollMs: opts.pollMs, onStatus: (s) => view.update(s) });
    view.stop();
    let file: string | null = null;
    if (final.status === "succeeded" || final.status === "needs_review") {
      const markdown = await (await client.send("GET", `${route.replace(/\/retry$/, "")}/content`, { headers: { accept: "text/markdown" } })).text();
      const json = await client.json<unknown>("GET", `${route.replace(/\/retry$/, "")}/content`);
      mkdirSync(opts.out, { recursive: true });
      file = path.resolve(opts.out, `${slugify(final.subject)}-${final.id}.md`);
      writeFileSync(file, markdown);
      writeFileSync(file.replace(/\.md$/, ".json"), `${JSON.stringify(json, null, 2)}\n`);
    }
    if (opts.json) process.stdout.write(`${JSON.stringify({ id: final.id, status: final.status, words: final.words, sections: final.sections.total, file })}\n`);
    else if (file) process.stderr.write(`${final.status}: ${final.words} words in ${final.sections.total} sections\nwritten to ${path.relative(process.cwd(), file)}\n`);
    else process.stderr.write(`${final.status}${final.error ? `: ${final.error.message}` : ""}\n`);
    // As `opus generate`: a written entry (succeeded or held for review) is success.
    return final.status === "failed" || final.status === "canceled" ? exitCodes.failure : exitCodes.ok;
  } finally {
    view.stop();
    await system.close();
  }
}
