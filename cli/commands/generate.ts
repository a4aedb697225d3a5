// `opus generate <subject>`: the main job. By default it runs the whole system in this process (the
// edge on a local libSQL file and a GPU node on OPUS_MODEL), submits the subject through the public
// API like any client, shows progress, and writes the finished entry to a file.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import cliProgress from "cli-progress";
import { isTerminal, type EntryStatus } from "../../shared/api/entry.ts";
import type { RunningEdge } from "../../edge/node.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { defaultDbUrl, defaultNodeSecret, remembered, stateDir } from "../defaults.ts";

type GenerateOptions = { tier: "S" | "A" | "B"; category: string; seed?: number; out: string; json?: boolean; edge?: string; key?: string; pollMs: number; config?: string };

type Status = { id: string; status: EntryStatus; step: string | null; progress: number; words: number; sections: { done: number; total: number }; error: { code: string; message: string } | null };

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

/** The key the CLI uses against its own embedded edge, created on first use. */
async function embeddedKey(edge: RunningEdge): Promise<string> {
  const { createApiKey, findKey } = await import("../../edge/auth.ts");
  const saved = remembered("cli-key", () => "");
  if (saved && (await findKey(edge.db, saved))) return saved;
  const { key } = await createApiKey(edge.db, "opus cli (embedded)");
  writeFileSync(path.join(stateDir, "cli-key"), `${key}\n`, { mode: 0o600 });
  return key;
}

function progressView(json: boolean) {
  if (json || !process.stderr.isTTY) {
    let lastLine = "";
    return {
      update(s: Status) {
        if (json) return;
        const line = `${s.status}: ${s.step ?? ""} (${Math.round(s.progress * 100)}%, ${s.words} words)`;
        if (line !== lastLine) process.stderr.write(`${line}\n`);
        lastLine = line;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: "{bar} {percentage}% | {status} | {sections} sections | {words} words | {step}", hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { status: "queued", sections: "0/0", words: 0, step: "" });
  return {
    update(s: Status) {
      bar.update(Math.round(s.progress * 100), { status: s.status, sections: `${s.sections.done}/${s.sections.total}`, words: s.words, step: s.step ?? "" });
    },
    stop() {
      bar.stop();
    },
  };
}

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description("write one entry and save it to a file")
    .argument("<subject>", 'what the entry is about, e.g. "Theosis"')
    .addOption(new Option("--tier <tier>", "S (10,000+ words), A or B").choices(["S", "A", "B"]).default("S"))
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
      let node: RunningGpuNode | undefined;
      let edge: RunningEdge | undefined;
      let base: string;
      let key: string;
      if (opts.edge) {
        base = opts.edge.replace(/\/$/, "");
        const given = opts.key ?? process.env.OPUS_API_KEY;
        if (!given) throw new Error("--edge needs an API key: pass --key or set OPUS_API_KEY (create one with `opus keys create`)");
        key = given;
      } else {
        // Loaded here, not at the top: the engine's native modules cost seconds that other commands need not pay.
        const { startGpuNode } = await import("../../gpu-node/main.ts");
        const { startEdge } = await import("../../edge/node.ts");
        const secret = defaultNodeSecret();
        // The progress bar owns the terminal: the engine reports errors only, unless told otherwise.
        node = await startGpuNode({ env: { OPUS_LOG_LEVEL: "error", ...process.env }, secret, port: 0, configFile: opts.config });
        edge = await startEdge({ ...process.env, OPUS_DB_URL: defaultDbUrl(), OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: node.url }, { port: 0 });
        base = edge.url;
        key = await embeddedKey(edge);
      }
      const view = progressView(Boolean(opts.json));
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
        let etag = "";
        let status: Status | undefined;
        for (;;) {
          const res = await failIfNotOk(await api(base, key, `/v1/entries/${created.id}`, { headers: etag ? { "if-none-match": etag } : {} }), "polling");
          if (res.status !== 304) {
            etag = res.headers.get("etag") ?? "";
            status = (await res.json()) as Status;
            view.update(status);
            if (isTerminal(status.status)) break;
          }
          await new Promise((r) => setTimeout(r, opts.pollMs));
        }
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
        await edge?.close();
        await node?.close();
      }
    });
}
