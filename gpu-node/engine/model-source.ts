// Turns a model source (a GGUF path, or an `hf:` URI / URL) into a local file, downloading through
// node-llama-cpp's own resolveModelFile. Offline, it fails fast with the fix instead of retrying forever.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { ModelSourceError } from "./errors.ts";
import { builtInModelMissingMessage, isBuiltInModelSource } from "./model-presets.ts";

export function isRemoteModelSource(source: string): boolean {
  return source.startsWith("hf:") || source.startsWith("hf://") || /^https?:\/\//i.test(source);
}

export type ResolveSourceOptions = {
  modelsDir: string;
  /** Allow downloading a remote model that is not yet in modelsDir. */
  download: boolean;
  connectTimeoutMs: number;
  /** Show node-llama-cpp's download progress bar (for a person at a terminal). */
  showProgress: boolean;
  /** Where the source came from, for error messages (e.g. `model "default"`). */
  label: string;
  /** Called as a download proceeds (for a progress bar of the caller's own). */
  onProgress?: (status: { totalSize: number; downloadedSize: number }) => void;
};

/** Which host a remote source downloads from, for the reachability check. */
function remoteHost(source: string): string {
  if (/^https?:\/\//i.test(source)) return new URL(source).origin;
  // The same override order as node-llama-cpp's resolver (MODEL_ENDPOINT, then HF_ENDPOINT).
  for (const endpoint of [process.env.MODEL_ENDPOINT, process.env.HF_ENDPOINT]) {
    if (endpoint && URL.canParse(endpoint)) return new URL(endpoint).origin;
  }
  return "https://huggingface.co";
}

async function checkReachable(origin: string, timeoutMs: number): Promise<string | null> {
  try {
    await fetch(origin, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? (error as Error).name ?? String(error);
  }
}

export async function resolveModelSource(source: string, options: ResolveSourceOptions): Promise<string> {
  if (!isRemoteModelSource(source)) {
    if (!existsSync(source)) {
      if (isBuiltInModelSource(source)) throw new ModelSourceError(`${options.label}: ${builtInModelMissingMessage()}`);
      throw new ModelSourceError(`${options.label}: no model file at ${source}. Check the path, or set OPUS_MODEL to a GGUF file or an hf: URI.`);
    }
    if (!statSync(source).isFile()) throw new ModelSourceError(`${options.label}: ${source} is not a file (expected a .gguf file)`);
    return source;
  }
  // Already downloaded: works offline.
  try {
    return await resolveModelFile(source, { directory: options.modelsDir, download: false, cli: false });
  } catch {
    // Not present yet; fall through to a download.
  }
  if (!options.download) {
    throw new ModelSourceError(
      `${options.label}: ${source} is not in ${options.modelsDir} and downloads are disabled (download.enabled = false). ` +
        `Download it there, or set OPUS_MODEL to a local GGUF file.`,
    );
  }
  // resolveModelFile retries for a long time when the network is unreachable; find out first, quickly.
  const origin = remoteHost(source);
  const unreachable = await checkReachable(origin, options.connectTimeoutMs);
  if (unreachable) {
    throw new ModelSourceError(
      `${options.label}: cannot download ${source}: ${origin} is unreachable (${unreachable}); this node looks offline. ` +
        `Download the model on a machine with internet access into ${options.modelsDir}, or set OPUS_MODEL to a local GGUF path.`,
    );
  }
  try {
    return await resolveModelFile(source, { directory: options.modelsDir, download: "auto", cli: options.showProgress, onProgress: options.onProgress });
  } catch (error) {
    throw new ModelSourceError(`${options.label}: cannot download ${source}: ${(error as Error).message}`);
  }
}

/** A short, stable display name for a source, for logs and doctor. */
export function sourceDisplayName(source: string): string {
  return isRemoteModelSource(source) ? source : path.basename(source);
}
