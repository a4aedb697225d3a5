// `opus generate <subject>`: the main job. By default it runs the whole system in this process (the
// edge on a local libSQL file and a GPU node on OPUS_MODEL, else the built-in model), submits the
// subject through the public API like any client, shows progress, and writes the finished entry to a file.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import { tiers, type Tier } from "../../shared/api/tier.ts";
import type { EmbeddedSystem } from "../embedded.ts";
import { followEntry } from "../client/follow.ts";
import { EdgeClient } from "../client/http.ts";
import { progressMode, progressView } from "../client/progress.ts";

type GenerateOptions = { tier: Tier; category: string; seed?: number; out: string; json?: boolean; edge?: string; key?: string; pollMs: number; config?: string };

function integer(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

export function slugify(subject: string): string {
  return (
    subject
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "entry"
  );
}

async function api(base: string, key: string, route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${route}`, { ...init, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

async function failIfNotOk(res: Response, what: string): Promise<Response> {
  if (res.ok || res.status === 304) return res;
  const body = await res.text();
  throw new Error(`${what} failed with HTTP ${res.status}: ${body}`);
}

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description("write one entry and save it to a file")
    .argument("<subject>", 'what the entry is about, e.g. "Theosis"')
    .addOption(new Option("--tier <tier>", "S (10,000+ words), A or B").choices(tiers).default("S"))
    .option("--category <category>", "category of the entry", "Theology")
    .option("--seed <n>", "fixed seed for a reproducible entry", integer("--seed", 0, 2 ** 32 - 1))
    .option("--out <dir>", "folder for the finished entry", "entries")
    .option("--json", "print one final JSON line {id, status, words, sections, file} on stdout")
    .option("--edge <url>", "submit to a running edge instead of the embedded one")
    .option("--key <key>", "API key for --edge (default: OPUS_API_KEY)")
    .option("--poll-ms <ms>", "status polling interval", integer("--poll-ms", 50, 60_000), 250)
    .option("--config <file>", "GPU node configuration file (default: OPUS_CONFIG or ./opus.config.json)")
    .action(async (subject: string, opts: GenerateOptions) => {
      if (!subject.trim()) throw new InvalidArgumentError("subject must not be empty");
      let embedded: EmbeddedSystem | undefined;
      let base: string;
      let key: string;
      if (opts.edge) {
        base = opts.edge.replace(/\/$/, "");
        const given = opts.key ?? process.env.OPUS_API_KEY;
        if (!given) throw new Error("--edge needs an API key: pass --key or set OPUS_API_KEY (create one with `opus keys create`)");
        key = given;
      } else {
        // The edge first, then the node linked to it: the node reports to that edge's address only,
        // and entries a killed run left unfinished resume reporting to this run's edge.
        const { startEmbedded } = await import("../embedded.ts");
        embedded = await startEmbedded({ json: Boolean(opts.json), config: opts.config });
        base = embedded.edge.url;
        key = embedded.key;
      }
      const view = progressView(progressMode(Boolean(opts.json)));
      let entryId: string | undefined;
      const interrupt = () => {
        if (entryId) void api(base, key, `/v1/entries/${entryId}/cancel`, { method: "POST" }).finally(() => process.exit(130));
        else process.exit(130);
      };
      process.once("SIGINT", interrupt);
      try {
        const body = { subject, tier: opts.tier, category: opts.category, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
        const created = (await (await failIfNotOk(await api(base, key, "/v1/entries", { method: "POST", body: JSON.stringify(body) }), "submitting the entry")).json()) as { id: string };
        entryId = created.id;
        // The same view and polling as `opus watch`.
        const client = new EdgeClient({ base, key, edgeFrom: opts.edge ? "--edge" : "the embedded edge", keyFrom: opts.key ? "--key" : opts.edge ? "OPUS_API_KEY" : "the embedded edge" });
        const status = await followEntry(client, created.id, { pollMs: opts.pollMs, onStatus: (s) => view.update(s) });
        view.stop();
        let file: string | null = null;
        if (status.status === "succeeded" || status.status === "needs_review") {
          const markdown = await (await failIfNotOk(await api(base, key, `/v1/entries/${created.id}/content`, { headers: { accept: "text/markdown" } }), "reading the entry")).text();
          const json = await (await failIfNotOk(await api(base, key, `/v1/entries/${created.id}/content`, { headers: { accept: "application/json" } }), "reading the entry")).json();
          mkdirSync(opts.out, { recursive: true });
          file = path.resolve(opts.out, `${slugify(subject)}-${created.id}.md`);
          writeFileSync(file, markdown);
          writeFileSync(file.replace(/\.md$/, ".json"), `${JSON.stringify(json, null, 2)}\n`);
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ id: created.id, status: status.status, words: status.words, sections: status.sections.total, file })}\n`);
        } else if (file) {
          process.stderr.write(`${status.status}: ${status.words} words in ${status.sections.total} sections\nwritten to ${path.relative(process.cwd(), file)}\n`);
        } else {
          process.stderr.write(`${status.status}${status.error ? `: ${status.error.message}` : ""}\n`);
        }
        if (status.status === "failed" || status.status === "canceled") process.exitCode = 1;
      } finally {
        process.removeListener("SIGINT", interrupt);
        view.stop();
        await embedded?.close();
      }
    });
}
