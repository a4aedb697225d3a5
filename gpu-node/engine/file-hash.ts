// SHA-256 of model files, for reproducibility records and cache keys. Hashing a 40 GB file takes a
// while, so results are kept on disk keyed by path, size and modification time.
import { createHash } from "node:crypto";
import { createReadStream, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { JsonFileStore } from "./json-file-store.ts";

type HashRecord = { sha256: string; size: number; mtimeMs: number };

export class FileHasher {
  private readonly store: JsonFileStore<HashRecord>;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(cacheDir: string) {
    this.store = new JsonFileStore<HashRecord>(path.join(cacheDir, "model-hashes.json"));
  }

  async sha256(file: string): Promise<string> {
    const real = realpathSync(file);
    const stat = statSync(real);
    const key = `${real}|${stat.size}|${Math.floor(stat.mtimeMs)}`;
    const known = this.store.get(key);
    if (known) return known.sha256;
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = hashFile(real)
      .then((sha256) => {
        this.store.set(key, { sha256, size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) });
        return sha256;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }
}

export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
