// Which edge the client commands talk to, and with which key: `--edge`/`--key`, else the profile
// named by `--profile` (or OPUS_PROFILE), else OPUS_EDGE_URL/OPUS_API_KEY, else the default profile
// saved by `opus login`. Each value remembers where it came from, so errors can name what to fix.
import { profilesPath, readProfiles, type Profile } from "./profiles.ts";
import { UsageError } from "./usage-error.ts";

export type ConnectionFlags = { edge?: string; key?: string; profile?: string };

export type Connection = {
  /** The edge's base URL, without a trailing slash. */
  base: string;
  key: string;
  /** Where each came from: "--edge", "OPUS_EDGE_URL", 'profile "work"'... */
  edgeFrom: string;
  keyFrom: string;
};


/** The edge URL as given, checked: http(s), no credentials, no query; trailing slashes removed. */
export function edgeUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${from} is not a URL (${JSON.stringify(value)}): give the edge's base URL, such as https://opus.example.workers.dev or http://127.0.0.1:8787`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${from} must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError(`${from} must not carry credentials: pass the API key with --key instead`);
  if (url.search || url.hash) throw new UsageError(`${from} must be the edge's base URL, without ?query or #fragment`);
  return url.href.replace(/\/+$/, "");
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env, file = profilesPath(env)): Connection {
  const named = flags.profile ?? (env.OPUS_PROFILE || undefined);
  let profile: { name: string; value: Profile } | undefined;
  const loadProfile = () => {
    const saved = readProfiles(file);
    const name = named ?? saved.default;
    if (named !== undefined && !(named in saved.profiles)) {
      const known = Object.keys(saved.profiles);
      throw new UsageError(
        `no profile "${named}" in ${file}${known.length ? ` (saved: ${known.join(", ")})` : ""}: save it with \`opus login --profile ${named} --edge URL --key KEY\``,
      );
    }
    if (name && saved.profiles[name]) profile = { name, value: saved.profiles[name] };
  };
  // The profile file is read only when a value is still missing (or a profile was asked for).
  if (named !== undefined || !(flags.edge ?? env.OPUS_EDGE_URL) || !(flags.key ?? env.OPUS_API_KEY)) loadProfile();
  const fromProfile = profile ? `profile "${profile.name}" (${file})` : "";
  const pick = (flag: string | undefined, flagName: string, envName: "OPUS_EDGE_URL" | "OPUS_API_KEY", field: keyof Profile) => {
    if (flag) return { value: flag, from: flagName };
    // A profile asked for by name outranks the environment; the default profile does not.
    if (named !== undefined && profile) return { value: profile.value[field], from: fromProfile };
    if (env[envName]) return { value: env[envName]!, from: envName };
    if (profile) return { value: profile.value[field], from: fromProfile };
    return undefined;
  };
  const edge = pick(flags.edge, "--edge", "OPUS_EDGE_URL", "edge");
  if (!edge) {
    throw new UsageError("no edge to talk to: pass --edge URL (and --key KEY), set OPUS_EDGE_URL and OPUS_API_KEY, or save both once with `opus login --edge URL --key KEY`");
  }
  const key = pick(flags.key, "--key", "OPUS_API_KEY", "key");
  if (!key) {
    throw new UsageError(`no API key for ${edge.value}: pass --key KEY, set OPUS_API_KEY, or save it with \`opus login\` (an operator creates keys with \`opus keys create\`)`);
  }
  return { base: edgeUrl(edge.value, edge.from), key: key.value, edgeFrom: edge.from, keyFrom: key.from };
}
