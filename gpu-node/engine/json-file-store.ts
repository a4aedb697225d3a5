// A small key-value record file under the cache dir (model hashes, thread calibrations). Written
// atomically (temp file + rename) so a crash never leaves half a file; unreadable files start empty.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export class JsonFileStore<T> {
  constructor(readonly file: string) {}

  private readAll(): Record<string, T> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, "utf8"));
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
    } catch {
      return {};
    }
  }

  get(key: string): T | undefined {
    return this.readAll()[key];
  }

  set(key: string, value: T): void {
    // Re-read before writing: another process (a second node, `opus doctor`) may have added entries.
    const all = this.readAll();
    all[key] = value;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, JSON.stringify(all, null, 2) + "\n");
    renameSync(temp, this.file);
  }
}
