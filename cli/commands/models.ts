// `opus models list|pull`: the named models OPUS_MODEL accepts, and downloading one before first use
// through node-llama-cpp's resolver into the node's models folder (paths.modelsDir, OPUS_MODELS_DIR).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import cliProgress from "cli-progress";
import {
  builtInModelMissingMessage,
  builtInModelPath,
  builtInModelRelativePath,
  findModelPreset,
  modelPresets,
  type ModelPreset,
} from "../../gpu-node/engine/model-presets.ts";

type ListedPreset = {
  name: string;
  title: string;
  vramGB: number | null;
  sizeGB: number | null;
  licence: string;
  source: string;
  builtIn: boolean;
  /** The local file when the model is on this machine (built in, or downloaded into the models folder). */
  file: string | null;
};

function preset(value: string): ModelPreset {
  const found = findModelPreset(value);
  if (!found) throw new InvalidArgumentError(`unknown model "${value}"; the presets are ${modelPresets.map((p) => p.name).join(", ")} (see \`opus models list\`)`);
  return found;
}

/** The models folder and download settings the GPU node would use (config file and OPUS_* applied). */
async function nodeDownloadSettings(configFile?: string) {
  const { loadNodeConfig } = await import("../../gpu-node/config/index.ts");
  const config = loadNodeConfig({ file: configFile, requireModel: false });
  return { modelsDir: config.paths.modelsDir, connectTimeoutMs: config.download.connectTimeoutMs };
}

async function listPresets(modelsDir: string): Promise<ListedPreset[]> {
  const { resolveModelFile } = await import("node-llama-cpp");
  return Promise.all(
    modelPresets.map(async (p) => {
      let file: string | null = null;
      let sizeGB = p.sizeGB;
      if (p.builtIn) {
        if (existsSync(builtInModelPath)) {
          file = builtInModelPath;
          sizeGB = statSync(builtInModelPath).size / 1e9;
        }
      } else {
        // Looks in the folder only (download: false): works offline.
        file = await resolveModelFile(p.source, { directory: modelsDir, download: false, cli: false }).catch(() => null);
      }
      return { name: p.name, title: p.title, vramGB: p.vramGB, sizeGB, licence: p.licence, source: p.builtIn ? builtInModelRelativePath : p.source, builtIn: p.builtIn, file };
    }),
  );
}

function formatSize(gb: number | null): string {
  if (gb === null) return "a few MB";
  return gb < 1 ? `${(gb * 1000).toFixed(1)} MB` : `${gb} GB`;
}

function printTable(rows: ListedPreset[], modelsDir: string): void {
  const cells = rows.map((r) => [
    r.name,
    r.vramGB === null ? "any (CPU)" : `${r.vramGB} GB`,
    formatSize(r.sizeGB),
    r.licence,
    r.builtIn ? (r.file ? "built in" : "built in, missing") : r.file ? "downloaded" : "-",
    r.source,
  ]);
  const header = ["name", "fits VRAM", "size", "licence", "here", "source"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join("  ");
  const out = [line(header), ...cells.map(line), ""];
  out.push(`models folder: ${modelsDir} (OPUS_MODELS_DIR)`);
  out.push('use one: OPUS_MODEL=<name> npx opus generate "Theosis" (an hf: model downloads on first use, or beforehand with `npx opus models pull <name>`)');
  process.stdout.write(`${out.join("\n")}\n`);
}

/** A bar at a terminal; elsewhere a line per tenth, so logs stay readable. */
function downloadProgress(name: string) {
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  if (!process.stderr.isTTY) {
    let lastTenth = -1;
    return {
      update({ totalSize, downloadedSize }: { totalSize: number; downloadedSize: number }) {
        const tenth = totalSize > 0 ? Math.floor((downloadedSize / totalSize) * 10) : 0;
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        process.stderr.write(`downloading ${name}: ${tenth * 10}% (${mb(downloadedSize)} of ${mb(totalSize)} MB)\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${name} {bar} {percentage}% | {done} of {total_mb} MB | {eta_formatted} left`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update({ totalSize, downloadedSize }: { totalSize: number; downloadedSize: number }) {
      if (!started) bar.start(totalSize, 0, { done: 0, total_mb: mb(totalSize) });
      started = true;
      bar.setTotal(totalSize);
      bar.update(downloadedSize, { done: mb(downloadedSize), total_mb: mb(totalSize) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerModels(program: Command): void {
  const models = program.command("models").description("named models for OPUS_MODEL: list them, download one");
  models
    .command("list")
    .description("the built-in model and instruction models that fit 8, 16 and 24 GB of VRAM")
    .option("--json", "print one JSON object {modelsDir, presets: [...]} on stdout")
    .option("--config <file>", "GPU node configuration file, for its models folder (default: OPUS_CONFIG or ./opus.config.json)")
    .action(async (opts: { json?: boolean; config?: string }) => {
      const { modelsDir } = await nodeDownloadSettings(opts.config);
      const rows = await listPresets(modelsDir);
      if (opts.json) process.stdout.write(`${JSON.stringify({ modelsDir, presets: rows })}\n`);
      else printTable(rows, modelsDir);
    });
  models
    .command("pull")
    .description("download a preset into the models folder (with progress), so the node starts offline")
    .argument("<name>", "a preset name from `opus models list`", preset)
    .option("--config <file>", "GPU node configuration file, for its models folder (default: OPUS_CONFIG or ./opus.config.json)")
    .action(async (chosen: ModelPreset, opts: { config?: string }) => {
      if (chosen.builtIn) {
        if (!existsSync(builtInModelPath)) throw new Error(builtInModelMissingMessage());
        process.stdout.write(`${chosen.name} is built in, nothing to download: ${builtInModelPath}\n`);
        return;
      }
      const { modelsDir, connectTimeoutMs } = await nodeDownloadSettings(opts.config);
      const { resolveModelSource } = await import("../../gpu-node/engine/model-source.ts");
      const progress = downloadProgress(chosen.name);
      let file: string;
      try {
        file = await resolveModelSource(chosen.source, {
          modelsDir,
          download: true,
          connectTimeoutMs,
          showProgress: false,
          label: `model "${chosen.name}"`,
          onProgress: (status) => progress.update(status),
        });
      } finally {
        progress.stop();
      }
      process.stdout.write(`${chosen.name}: ${path.relative(process.cwd(), file) || file}\nuse it: OPUS_MODEL=${chosen.name} npx opus generate "Theosis"\n`);
    });
}
