// The entry commands of the `opus` client, against a running edge: `status`, `watch`, `get`,
// `cancel` and `list`. The connection comes from --edge/--key, the environment or `opus login`.
import { writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { entryStatuses } from "../../shared/lifecycle/statuses.ts";
import { clientFor, integerOption, printJson, runClient, withConnection, type ClientOptions } from "../client/command.ts";
import { exitCodes } from "../client/exit-codes.ts";
import type { EntryStatusView } from "../client/types.ts";

/** The exit status `opus watch` ends with for an entry that ended so. */
export function outcomeExitCode(status: string): number {
  if (status === "succeeded") return exitCodes.ok;
  if (status === "needs_review") return exitCodes.needsReview;
  return exitCodes.entryFailed;
}

async function describeStatus(s: EntryStatusView): Promise<string> {
  const { shortTime, statusLine } = await import("../client/format.ts");
  const lines = [
    `${s.id}  ${s.subject} (tier ${s.tier}, ${s.category})`,
    statusLine(s),
    `created ${shortTime(s.created_at)}, updated ${shortTime(s.updated_at)}`,
  ];
  if (s.error) lines.push(`error: ${s.error.message} (${s.error.code})`);
  if (s.status === "succeeded" || s.status === "needs_review") lines.push(`read it with \`opus get ${s.id}\``);
  return lines.join("\n");
}

export function registerEntries(program: Command): void {
  withConnection(program.command("status").description("show where an entry stands").argument("<id>", "entry id (ent_...)")).action(
    (id: string, opts: ClientOptions) =>
      runClient(async () => {
        const { segment } = await import("../client/http.ts");
        const status = await (await clientFor(opts)).json<EntryStatusView>("GET", `/v1/entries/${segment(id)}`);
        if (opts.json) printJson(status);
        else process.stdout.write(`${await describeStatus(status)}\n`);
      }),
  );

  withConnection(
    program
      .command("watch")
      .description("follow an entry until it ends, with live progress; the exit status says how it ended (0 succeeded, 3 failed or canceled, 4 needs review)")
      .argument("<id>", "entry id (ent_...)")
      .option("--poll-ms <ms>", "status polling interval", integerOption("--poll-ms", 50, 60_000), 500),
  ).action((id: string, opts: ClientOptions & { pollMs: number }) =>
    runClient(async () => {
      const client = await clientFor(opts);
      const { followEntry } = await import("../client/follow.ts");
      const { progressMode, progressView } = await import("../client/progress.ts");
      const { count } = await import("../client/format.ts");
      const view = progressView(progressMode(Boolean(opts.json)));
      // Ctrl-C stops watching, not the entry: say how to come back or to stop it.
      const interrupt = () => {
        view.stop();
        process.stderr.write(`stopped watching; the entry goes on: \`opus watch ${id}\` to follow it again, \`opus cancel ${id}\` to stop it\n`);
        process.exit(exitCodes.interrupted);
      };
      process.once("SIGINT", interrupt);
      try {
        const final = await followEntry(client, id, {
          pollMs: opts.pollMs,
          onStatus: (s) => {
            if (opts.json) process.stdout.write(`${JSON.stringify(s)}\n`);
            view.update(s);
          },
          onTrouble: (error) => {
            if (!opts.json) process.stderr.write(`opus: ${error.message}; still trying\n`);
          },
        });
        view.stop();
        if (!opts.json) {
          const n = final.sections.total;
          const detail = final.error ? `: ${final.error.message}` : ` (${count(final.words)} words in ${n} section${n === 1 ? "" : "s"})`;
          const next = final.status === "succeeded" || final.status === "needs_review" ? `; read it with \`opus get ${final.id}\`` : "";
          process.stderr.write(`${final.status}${detail}${next}\n`);
        }
        return outcomeExitCode(final.status);
      } finally {
        process.removeListener("SIGINT", interrupt);
        view.stop();
      }
    }),
  );

  withConnection(
    program
      .command("get")
      .description("print a finished entry (Markdown, or JSON with its sections and metadata)")
      .argument("<id>", "entry id (ent_...)")
      .addOption(new Option("--format <format>", "md or json (--json means json)").choices(["md", "json"]).default("md"))
      .option("--revision <n>", "a given revision of the entry (1 is the one the node wrote; each review edit or rewrite adds one)", integerOption("--revision", 1, 1_000_000))
      .option("--out <file>", "write to a file instead of stdout"),
  ).action((id: string, opts: ClientOptions & { format: "md" | "json"; revision?: number; out?: string }) =>
    runClient(async () => {
      const { ClientError, segment } = await import("../client/http.ts");
      const client = await clientFor(opts);
      const format = opts.json ? "json" : opts.format;
      const query = { format: format === "json" ? "json" : "markdown" };
      const headers = { accept: format === "json" ? "application/json" : "text/markdown" };
      let text: string;
      try {
        // A past revision is read where the edge keeps them (the review API); the entry as it is now from /content.
        const res = opts.revision === undefined
          ? await client.send("GET", `/v1/entries/${segment(id)}/content`, { query, headers })
          : await client.send("GET", `/v1/entries/${segment(id)}/revisions/${opts.revision}`, { query, headers });
        text = await res.text();
      } catch (error) {
        if (error instanceof ClientError && error.info.code === "revision_not_found") {
          const listed = await client.json<{ current: number | null }>("GET", `/v1/entries/${segment(id)}/revisions`).catch(() => undefined);
          const known = listed?.current ? `it has revisions 1 to ${listed.current}` : "it has no revisions yet";
          throw new ClientError(`entry ${id} has no revision ${opts.revision}: ${known}; drop --revision to get the entry as it is now`, error.info);
        }
        if (error instanceof ClientError && error.info.code === "entry_not_ready") {
          throw new ClientError(`${error.message.replace(/ \(HTTP.*$/, "")}: \`opus watch ${id}\` waits until it is written`, error.info);
        }
        throw error;
      }
      if (format === "json") text = `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
      if (opts.out) {
        writeFileSync(opts.out, text);
        process.stderr.write(`written to ${opts.out}\n`);
      } else {
        process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      }
    }),
  );

  withConnection(
    program
      .command("cancel")
      .description("cancel an entry (idempotent); its GPU node stops working on it")
      .argument("<id>", "entry id (ent_...)"),
  ).action((id: string, opts: ClientOptions) =>
    runClient(async () => {
      const { segment } = await import("../client/http.ts");
      const status = await (await clientFor(opts)).json<EntryStatusView>("POST", `/v1/entries/${segment(id)}/cancel`);
      if (opts.json) printJson(status);
      else process.stdout.write(`${status.id}: ${status.status}\n`);
    }),
  );

  withConnection(
    program
      .command("list")
      .description("list this key's entries, newest first (every page)")
      .addOption(new Option("--status <status>", "only entries in this status").choices(entryStatuses))
      .option("--limit <n>", "at most this many entries", integerOption("--limit", 1, 1_000_000)),
  ).action((opts: ClientOptions & { status?: string; limit?: number }) =>
    runClient(async () => {
      const client = await clientFor(opts);
      const entries = await client.all<EntryStatusView>("/v1/entries", { status: opts.status }, opts.limit);
      if (opts.json) return void printJson(entries);
      const { count, shortTime, table } = await import("../client/format.ts");
      if (entries.length === 0) return void process.stderr.write(`no entries${opts.status ? ` in status ${opts.status}` : ""}\n`);
      const rows = entries.map((e) => [e.id, e.status, e.tier, count(e.words), `${Math.round(e.progress * 100)}%`, shortTime(e.created_at), e.subject]);
      process.stdout.write(`${table(["ID", "STATUS", "TIER", "WORDS", "DONE", "CREATED", "SUBJECT"], rows)}\n`);
    }),
  );
}
