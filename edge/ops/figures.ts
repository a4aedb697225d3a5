// The operations dashboard's figures, read from what the edge records: entries (their status and
// the `transitions` history of every status change, which gives the time spent in each step), GPU
// nodes (rows kept by heartbeats, assignment answers and the circuit breakers, with the node's own
// stats from its heartbeats), the edge validation reports of current texts, and webhook deliveries.
// Read-only: nothing here writes.
import { and, count, gte, isNull, sql } from "drizzle-orm";
import type { NodeStats } from "../../shared/api/node-protocol.ts";
import type { OpsSnapshot } from "../../shared/api/ops.ts";
import { isFinished, isWorking, unfinishedStatuses, type EntryStatus } from "../../shared/lifecycle/index.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, entryContents, webhookDeliveries, webhookEndpoints, type StatusChange } from "../db/schema.ts";
import { assignedCounts, unfinished } from "../entries/reads.ts";
import { ensureStaticNode, listNodes, nodeCapacity, nodeHealthy } from "../nodes/registry.ts";

const hourMs = 3_600_000;
/** Entries read for step times and throughput: the most recently changed ones in the window. */
const maxEntriesRead = 5000;
const maxRules = 30;
const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

type TimedEntry = { status: EntryStatus; nodeId: string | null; transitions: StatusChange[]; words: number; tokens: number };

/** Seconds spent in each status, over the stints that ended inside the window. */
export function stepTimes(rows: readonly Pick<TimedEntry, "transitions">[], since: number): OpsSnapshot["step_times"] {
  const stints = new Map<string, number[]>();
  for (const row of rows) {
    for (let i = 0; i + 1 < row.transitions.length; i++) {
      const from = row.transitions[i]!;
      const to = row.transitions[i + 1]!;
      if (to.at < since) continue;
      const list = stints.get(from.status) ?? [];
      list.push(Math.max(0, (to.at - from.at) / 1000));
      stints.set(from.status, list);
    }
  }
  const order = [...unfinishedStatuses] as string[];
  return [...stints.entries()]
    .sort(([a], [b]) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)))
    .map(([status, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return {
        status,
        stints: sorted.length,
        mean_seconds: round(sorted.reduce((s, n) => s + n, 0) / sorted.length),
        p50_seconds: round(quantile(sorted, 0.5)),
        p90_seconds: round(quantile(sorted, 0.9)),
        max_seconds: round(sorted[sorted.length - 1]!),
      };
    });
}

/**
 * Per node: the entries it finished in the window, with their words and tokens over their writing
 * time (from the first working status to the finished one). What the edge sees of any node, the
 * static one without heartbeats included.
 */
export function throughputByNode(rows: readonly TimedEntry[], since: number): Map<string, OpsSnapshot["nodes"][number]["throughput"]> {
  const sums = new Map<string, { entries: number; words: number; tokens: number; ms: number }>();
  for (const row of rows) {
    if (!row.nodeId) continue;
    const start = row.transitions.find((t) => isWorking(t.status) || t.status === "revising");
    const end = start && row.transitions.find((t) => t.at >= start.at && isFinished(t.status));
    if (!start || !end || end.at < since) continue;
    const sum = sums.get(row.nodeId) ?? { entries: 0, words: 0, tokens: 0, ms: 0 };
    sum.entries++;
    sum.words += row.words;
    sum.tokens += row.tokens;
    sum.ms += end.at - start.at;
    sums.set(row.nodeId, sum);
  }
  const out = new Map<string, OpsSnapshot["nodes"][number]["throughput"]>();
  for (const [node, s] of sums) {
    const secs = s.ms / 1000;
    out.set(node, {
      entries: s.entries,
      words: s.words,
      tokens: s.tokens,
      writing_seconds: round(secs),
      words_per_second: secs > 0 ? round(s.words / secs) : null,
      tokens_per_second: secs > 0 ? round(s.tokens / secs) : null,
    });
  }
  return out;
}

const noThroughput = { entries: 0, words: 0, tokens: 0, writing_seconds: 0, words_per_second: null, tokens_per_second: null };

export async function opsSnapshot(db: EdgeDb, config: EdgeConfig, opts: { now?: number; windowHours?: number } = {}): Promise<OpsSnapshot> {
  const now = opts.now ?? Date.now();
  const windowHours = opts.windowHours ?? 24;
  const since = now - windowHours * hourMs;
  const firstHour = Math.floor(since / hourMs) * hourMs + hourMs;
  await ensureStaticNode(db, config);

  const [byStatus, perHour, timed, waiting, oldest, nodes, assigned, rules, checked, deliveries, endpoints] = await Promise.all([
    db.select({ status: entries.status, n: count() }).from(entries).groupBy(entries.status).all(),
    // Aliases unlike any column of entries: GROUP BY would take the column (entries.status) first.
    db.all<{ t_hour: number; t_status: string; n: number }>(sql`
      SELECT CAST(json_extract(t.value, '$.at') / ${hourMs} AS INTEGER) AS t_hour, json_extract(t.value, '$.status') AS t_status, count(*) AS n
      FROM ${entries}, json_each(${entries.transitions}) AS t
      WHERE ${entries.updatedAt} >= ${firstHour} AND json_extract(t.value, '$.at') >= ${firstHour}
      GROUP BY t_hour, t_status`),
    db
      .select({ status: entries.status, nodeId: entries.nodeId, transitions: entries.transitions, progress: entries.progress })
      .from(entries)
      .where(gte(entries.updatedAt, since))
      .orderBy(sql`${entries.updatedAt} DESC`)
      .limit(maxEntriesRead)
      .all(),
    db
      .select({ n: count() })
      .from(entries)
      .where(and(isNull(entries.nodeId), unfinished))
      .get(),
    // The entry waiting longest: since its last change of status (a retried entry waits from its retry).
    db.all<{ id: string; since: number }>(sql`
      SELECT id, json_extract(transitions, '$[#-1].at') AS since FROM ${entries}
      WHERE ${isNull(entries.nodeId)} AND ${unfinished}
      ORDER BY since ASC, id ASC LIMIT 1`),
    listNodes(db),
    assignedCounts(db),
    db.all<{ rule: string; severity: string; issues: number; entries: number }>(sql`
      SELECT json_extract(i.value, '$.rule') AS rule, json_extract(i.value, '$.severity') AS severity, count(*) AS issues, count(DISTINCT ${entryContents.entryId}) AS entries
      FROM ${entryContents}, json_each(${entryContents.metadata}, '$.edge_validation.issues') AS i
      GROUP BY rule, severity`),
    db.select({ n: count() }).from(entryContents).where(sql`json_type(${entryContents.metadata}, '$.edge_validation') IS NOT NULL`).get(),
    db.select({ status: webhookDeliveries.status, n: count() }).from(webhookDeliveries).groupBy(webhookDeliveries.status).all(),
    db
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, reason: webhookEndpoints.disabledReason, disabledAt: webhookEndpoints.disabledAt })
      .from(webhookEndpoints)
      .all(),
  ]);

  const hours: OpsSnapshot["entries"]["per_hour"] = [];
  for (let h = firstHour; h <= now; h += hourMs) hours.push({ hour: iso(h), entered: {} });
  for (const row of perHour) {
    const slot = hours[Math.round((Number(row.t_hour) * hourMs - firstHour) / hourMs)];
    if (slot) slot.entered[row.t_status] = Number(row.n);
  }

  const timedRows: TimedEntry[] = timed.map((r) => ({ status: r.status, nodeId: r.nodeId, transitions: r.transitions, words: r.progress.words, tokens: r.progress.tokens }));
  const throughput = throughputByNode(timedRows, since);

  const ruleMap = new Map<string, { rule: string; issues: number; entries: number; by_severity: Record<string, number> }>();
  for (const r of rules) {
    const item = ruleMap.get(r.rule) ?? { rule: r.rule, issues: 0, entries: 0, by_severity: {} };
    item.issues += Number(r.issues);
    item.entries = Math.max(item.entries, Number(r.entries));
    item.by_severity[r.severity] = Number(r.issues);
    ruleMap.set(r.rule, item);
  }

  const shownNodes = nodes.filter((n) => n.mode !== "static" || config.gpuNodeUrl);
  const first = oldest[0];
  const disabled = endpoints.filter((e) => e.disabledAt !== null);
  return {
    generated_at: iso(now),
    window_hours: windowHours,
    entries: {
      total: byStatus.reduce((s, r) => s + Number(r.n), 0),
      by_status: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
      per_hour: hours,
    },
    step_times: stepTimes(timedRows, since),
    queue: {
      depth: Number(waiting?.n ?? 0),
      oldest_waiting: first ? { id: first.id, waiting_since: iso(Number(first.since)), waiting_seconds: round(Math.max(0, now - Number(first.since)) / 1000, 1) } : null,
    },
    nodes: shownNodes.map((n) => {
      const info = (n.info ?? {}) as { model?: string; stats?: NodeStats };
      return {
        id: n.id,
        mode: n.mode,
        healthy: nodeHealthy(n, now, config),
        capacity: nodeCapacity(n, config),
        active: n.active,
        queued: n.queued,
        assigned: assigned.get(n.id) ?? 0,
        model: info.model ?? null,
        last_heartbeat_at: n.lastHeartbeatAt === null ? null : iso(n.lastHeartbeatAt),
        stats: info.stats ?? null,
        throughput: throughput.get(n.id) ?? noThroughput,
      };
    }),
    breakers: shownNodes.map((n) => ({
      node: n.id,
      state: (["open", "half_open"].includes(n.breakerState) ? n.breakerState : "closed") as "closed" | "open" | "half_open",
      failures: n.breakerFailures,
      opened_at: n.breakerState !== "closed" && n.breakerOpenedAt ? iso(n.breakerOpenedAt) : null,
      last_error: n.lastError,
    })),
    validation: {
      entries_checked: Number(checked?.n ?? 0),
      by_rule: [...ruleMap.values()].sort((a, b) => b.issues - a.issues || a.rule.localeCompare(b.rule)).slice(0, maxRules),
    },
    webhooks: {
      deliveries_by_outcome: Object.fromEntries(deliveries.map((r) => [r.status, Number(r.n)])),
      endpoints: {
        total: endpoints.length,
        disabled: disabled.length,
        disabled_list: disabled.map((e) => ({ id: e.id, url: e.url, reason: e.reason, disabled_at: iso(e.disabledAt!) })),
      },
    },
  };
}
