// Saved connections (`opus login`): edge URL and API key per profile name, in one JSON file under the
// user's config folder, readable by the user only (0600, in a 0700 folder), because it holds keys.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "./usage-error.ts";

export const Profile = z.object({ edge: z.string().min(1), key: z.string().min(1) });
export type Profile = z.infer<typeof Profile>;

const ProfilesFile = z.object({
  default: z.string().nullable().default(null),
  profiles: z.record(z.string(), Profile).default({}),
});
export type ProfilesFile = z.infer<typeof ProfilesFile>;

export const profileNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** $XDG_CONFIG_HOME/opus, else %APPDATA%\opus on Windows, else ~/.config/opus. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || (process.platform === "win32" ? env.APPDATA : undefined) || path.join(os.homedir(), ".config");
  return path.join(base, "opus");
}

export const profilesPath = (env: NodeJS.ProcessEnv = process.env) => path.join(configDir(env), "profiles.json");

export function readProfiles(file = profilesPath()): ProfilesFile {
  if (!existsSync(file)) return { default: null, profiles: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message}): fix it, or delete it and run \`opus login\` again`);
  }
  const parsed = ProfilesFile.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(file)").join(", ");
    throw new UsageError(`${file} has unexpected content at ${where}: fix it, or delete it and run \`opus login\` again`);
  }
  return parsed.data;
}

/** Writes the whole file atomically (a temporary file renamed into place), mode 0600. */
export function writeProfiles(data: ProfilesFile, file = profilesPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync applies only to a new file, and the umask may narrow it: set it.
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** Saves `profile` as `name`; the first profile saved, or one saved with `makeDefault`, is the default. */
export function saveProfile(name: string, profile: Profile, opts: { makeDefault?: boolean; file?: string } = {}): ProfilesFile {
  const file = opts.file ?? profilesPath();
  const data = readProfiles(file);
  data.profiles[name] = profile;
  if (opts.makeDefault || data.default === null || !(data.default in data.profiles)) data.default = name;
  writeProfiles(data, file);
  return data;
}

/** Removes a profile; answers whether it existed. */
export function removeProfile(name: string, file = profilesPath()): boolean {
  const data = readProfiles(file);
  if (!(name in data.profiles)) return false;
  delete data.profiles[name];
  if (data.default === name) data.default = Object.keys(data.profiles)[0] ?? null;
  writeProfiles(data, file);
  return true;
}
