// Builds the project's own offline embedding model on first use and caches it: GloVe vectors with
// SIF weighting in an ONNX token table, plus a WordLevel tokenizer, laid out as a transformers.js
// model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx). A manifest
// records the builder version; a different version in the cache is rebuilt.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadGloveVectors, glovePackageVersion, GLOVE_PACKAGE } from "./glove-source.ts";
import { applySif, DEFAULT_SIF } from "./sif-weights.ts";
import { buildStaticEmbeddingOnnx } from "./static-graph.ts";
import { specialTokensMapJson, SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson } from "./tokenizer-files.ts";

export const STATIC_MODEL_NAME = "opus-static-glove-100d";
/** Bump when the built files change in any way: it is part of the embedder id stored with indexes. */
export const STATIC_MODEL_VERSION = 3;
export const MANIFEST_FILE = "opus-manifest.json";

export interface StaticModelManifest {
  name: string;
  version: number;
  dimensions: number;
  vocabularySize: number;
  tableDtype: "float16" | "float32";
  weighting: { scheme: "sif"; a: number; removedComponents: number };
  source: string;
  builtAt: string;
  buildSeconds: number;
}

export interface StaticModel {
  /** Folder to hand to transformers.js as the model path. */
  dir: string;
  manifest: StaticModelManifest;
}

/** Where models are cached when the caller names no folder: .opus/cache/models under the working directory (the node passes knowledge.embedderCache). */
export function defaultModelCacheDir(): string {
  return path.resolve(path.join(".opus", "cache", "models"));
}

export function readStaticManifest(dir: string): StaticModelManifest | undefined {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as StaticModelManifest;
  } catch {
    return undefined;
  }
}

function isCurrent(manifest: StaticModelManifest | undefined): manifest is StaticModelManifest {
  return manifest?.name === STATIC_MODEL_NAME && manifest.version === STATIC_MODEL_VERSION;
}

/** Writes the model folder at `target` (which must not exist). Takes a few seconds. */
export function buildStaticModel(target: string): StaticModelManifest {
  const started = performance.now();
  const glove = loadGloveVectors();
  const rows = glove.words.length;
  const dims = glove.dimensions;
  applySif(glove.vectors, rows, dims, DEFAULT_SIF);
  // Rows 0 and 1 ([PAD], [UNK]) stay zero: they add nothing to the pooled sum.
  const table = new Float32Array((rows + SPECIAL_TOKENS) * dims);
  table.set(glove.vectors, SPECIAL_TOKENS * dims);
  const manifest: StaticModelManifest = {
    name: STATIC_MODEL_NAME,
    version: STATIC_MODEL_VERSION,
    dimensions: dims,
    vocabularySize: rows + SPECIAL_TOKENS,
    tableDtype: "float16",
    weighting: { scheme: "sif", a: DEFAULT_SIF.a, removedComponents: DEFAULT_SIF.removeComponents },
    source: `${GLOVE_PACKAGE}@${glove.sourceVersion} (GloVe 6B 100d, PDDL)`,
    builtAt: new Date().toISOString(),
    buildSeconds: 0,
  };
  const onnx = buildStaticEmbeddingOnnx({
    table,
    rows: rows + SPECIAL_TOKENS,
    dims,
    float16: true,
    producerVersion: String(STATIC_MODEL_VERSION),
    metadata: { source: manifest.source, weighting: JSON.stringify(manifest.weighting) },
  });
  mkdirSync(path.join(target, "onnx"), { recursive: true });
  writeFileSync(path.join(target, "onnx", "model.onnx"), onnx);
  writeFileSync(path.join(target, "tokenizer.json"), JSON.stringify(tokenizerJson(glove.words)));
  writeFileSync(path.join(target, "tokenizer_config.json"), JSON.stringify(tokenizerConfigJson(), null, 2));
  writeFileSync(path.join(target, "special_tokens_map.json"), JSON.stringify(specialTokensMapJson(), null, 2));
  writeFileSync(
    path.join(target, "config.json"),
    JSON.stringify(
      {
        // "bert" selects transformers.js's encoder-only forward: feed the inputs the session
        // declares, return its outputs (here sentence_embedding). Nothing else of BERT is used.
        model_type: "bert",
        architectures: ["OpusStaticEmbedding"],
        hidden_size: dims,
        vocab_size: rows + SPECIAL_TOKENS,
        pad_token_id: 0,
        opus_static_model: { name: STATIC_MODEL_NAME, version: STATIC_MODEL_VERSION },
      },
      null,
      2,
    ),
  );
  manifest.buildSeconds = Math.round((performance.now() - started) / 100) / 10;
  // The manifest goes last: its presence marks a complete folder.
  writeFileSync(path.join(target, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

const LOCK_STALE_MS = 10 * 60_000;
const LOCK_WAIT_MS = 5 * 60_000;

/**
 * Returns the cached static model under `cacheDir`, building it first when it is missing or from
 * another builder version. Concurrent processes (parallel test files, a server and the CLI) take
 * a directory lock so that one builds and the others wait for it.
 */
export async function ensureStaticModel(cacheDir: string = defaultModelCacheDir()): Promise<StaticModel> {
  const dir = path.join(path.resolve(cacheDir), STATIC_MODEL_NAME);
  const existing = readStaticManifest(dir);
  if (isCurrent(existing)) return { dir, manifest: existing };
  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const ready = readStaticManifest(dir);
      if (isCurrent(ready)) return { dir, manifest: ready };
      if (lockAge(lock) > LOCK_STALE_MS) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > waitUntil) throw new Error(`Timed out waiting for another process to build ${dir} (lock ${lock}); remove the lock if no build is running.`);
      await sleep(250);
    }
  }
  try {
    const ready = readStaticManifest(dir);
    if (isCurrent(ready)) return { dir, manifest: ready };
    const staging = `${dir}.building-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    const manifest = buildStaticModel(staging);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { dir, manifest };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

/** The embedder id of the static model: name and builder version, plus the data source version. */
export function staticEmbedderId(): string {
  return `${STATIC_MODEL_NAME}@${STATIC_MODEL_VERSION}+glove-${glovePackageVersion()}`;
}
