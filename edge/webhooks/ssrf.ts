// The SSRF guard for webhook URLs: no deliveries to loopback, private, link-local, metadata or other
// non-public addresses unless the configuration allows them (development).
//
// Limit: a Worker cannot resolve DNS before fetch(), so only what the URL itself shows is checked:
// literal IPv4/IPv6 addresses (in every form the WHATWG URL parser normalises, such as 2130706433 or
// 0x7f.1 for 127.0.0.1, and IPv4 inside IPv6), well-known internal names, and names that embed a
// private IPv4 (10.0.0.1.nip.io). A public name whose DNS points at a private address is not caught
// here; on Cloudflare, Workers' fetch cannot reach private networks anyway, and on Node the operator
// should egress through a filtering proxy if that matters. Redirects are never followed.

type Range = [base: number, bits: number];

const blockedV4: Range[] = [
  [0x00000000, 8], // "this network"
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 carrier-grade NAT (also Alibaba's metadata 100.100.100.200)
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // 169.254/16 link-local, cloud metadata (169.254.169.254)
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments
  [0xc0000200, 24], // 192.0.2/24 documentation
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 documentation
  [0xcb007100, 24], // 203.0.113/24 documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved, broadcast
];

const blockedNames = new Set(["localhost", "metadata", "instance-data", "metadata.google.internal", "metadata.azure.com", "kubernetes.default"]);
const blockedSuffixes = [".localhost", ".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp", ".svc", ".cluster.local"];

function inRange(ip: number, [base, bits]: Range): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((base & mask) >>> 0);
}

function parseV4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
}

const v4Blocked = (ip: number) => blockedV4.some((r) => inRange(ip, r));

/** Eight 16-bit groups of an IPv6 literal (without brackets), or undefined when it is not one. */
function parseV6(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const ip = parseV4(v4[1]!);
    if (ip === undefined) return undefined;
    tail = [ip >>> 16, ip & 0xffff];
    head = text.slice(0, -v4[1]!.length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : Number.NaN)));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 && known !== 8) return undefined;
  if (known > 8) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? 8 - known : 0).fill(0), ...right, ...tail];
  return all.some((g) => Number.isNaN(g)) ? undefined : all;
}

function v6Problem(g: number[]): string | undefined {
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = ((g[6]! << 16) | g[7]!) >>> 0;
  if (zeroPrefix(8)) return "the unspecified address";
  if (zeroPrefix(7) && g[7] === 1) return "loopback";
  if (zeroPrefix(5) && g[5] === 0xffff) return v4Blocked(embedded) ? "a private IPv4 address (IPv4-mapped)" : undefined;
  if (zeroPrefix(6)) return "an IPv4-compatible address";
  if (g[0] === 0x64 && g[1] === 0xff9b) return v4Blocked(embedded) ? "a private IPv4 address (NAT64)" : undefined;
  if ((g[0]! & 0xfe00) === 0xfc00) return "a unique local (private) address";
  if ((g[0]! & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g[0]! & 0xffc0) === 0xfec0) return "a site-local address";
  if ((g[0]! & 0xff00) === 0xff00) return "a multicast address";
  if (g[0] === 0x2001 && g[1] === 0xdb8) return "a documentation address";
  return undefined;
}

/**
 * Why `raw` must not receive webhooks, or undefined when it may. `allowPrivate` (development)
 * lifts the address checks but never the scheme and credential checks.
 */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use http or https";
  if (url.username || url.password) return "must not contain credentials";
  if (allowPrivate) return undefined;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[")) {
    const groups = parseV6(host.slice(1, -1));
    if (!groups) return "has an unreadable IPv6 address";
    const problem = v6Problem(groups);
    return problem ? `points at ${problem}` : undefined;
  }
  const v4 = parseV4(host);
  if (v4 !== undefined) return v4Blocked(v4) ? "points at a loopback, private, link-local or reserved address" : undefined;
  if (blockedNames.has(host) || blockedSuffixes.some((s) => host.endsWith(s))) return "points at an internal host name";
  if (!host.includes(".")) return "must be a fully qualified public host name";
  // Wildcard-DNS names such as 127.0.0.1.nip.io resolve to the address they embed.
  const embedded = /(?:^|[.-])(\d{1,3}[.-]\d{1,3}[.-]\d{1,3}[.-]\d{1,3})(?=[.-]|$)/.exec(host);
  if (embedded) {
    const ip = parseV4(embedded[1]!.replace(/-/g, "."));
    if (ip !== undefined && v4Blocked(ip)) return "embeds a private IPv4 address in its host name";
  }
  return undefined;
}
