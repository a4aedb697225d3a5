// The review queue: the signed-in key's entries in a review status, with their score and worst issue
// read inside the database from the current revision's stored report (entry_contents holds the
// current revision: quality_score and edge_validation), so sorting, filtering and paging are one
// query each and no issue list leaves the database. Reads only.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { Tier } from "../../shared/api/entry.ts";
import { decidedStatuses, finishedStatuses, revisionStatuses } from "../../shared/lifecycle/statuses.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, entryContents } from "../db/schema.ts";

/** The statuses the queue can list: what waits for a reviewer first, then the outcomes. */
export const queueStatuses = [...finishedStatuses, ...revisionStatuses, ...decidedStatuses] as const;
export const queueSorts = ["age", "score", "worst", "subject", "tier", "category"] as const;
export const worstFilters = ["critical", "error", "warning", "info", "none"] as const;
export const pageSize = 25;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
export const QueueQuery = z.object({
  status: z.preprocess(blankToUndefined, z.enum(queueStatuses).default("needs_review")),
  tier: z.preprocess(blankToUndefined, Tier.optional()),
  category: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()),
  worst: z.preprocess(blankToUndefined, z.enum(worstFilters).optional()),
  q: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(queueSorts).default("age")),
  dir: z.preprocess(blankToUndefined, z.enum(["asc", "desc"]).optional()),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

/** The direction a sort takes unless the reader says: oldest, lowest score and worst issue first. */
export const defaultDir: Record<(typeof queueSorts)[number], "asc" | "desc"> = { age: "desc", score: "asc", worst: "desc", subject: "asc", tier: "asc", category: "asc" };

export type QueueRow = {
  id: string;
  subject: string;
  tier: string;
  category: string;
  status: string;
  revision: number;
  score: number | null;
  worstSeverity: string | null;
  worstRule: string | null;
  worstMessage: string | null;
  issueCount: number;
  /** When the entry entered its current status (ms). */
  since: number;
};

const validation = sql`json_extract(${entryContents.metadata}, '$.edge_validation')`;
const count = (severity: string) => sql`coalesce(json_extract(${entryContents.metadata}, ${`$.edge_validation.counts.${severity}`}), 0)`;
/** 4 critical, 3 error, 2 warning, 1 info, 0 none: sortable and filterable. */
const worstRank = sql<number>`(CASE WHEN ${count("critical")} > 0 THEN 4 WHEN ${count("error")} > 0 THEN 3 WHEN ${count("warning")} > 0 THEN 2 WHEN ${count("info")} > 0 THEN 1 ELSE 0 END)`;
const rankName = ["none", "info", "warning", "error", "critical"] as const;
const score = sql<number | null>`coalesce(json_extract(${entryContents.metadata}, '$.quality_score'), json_extract(${validation}, '$.score'))`;
/** The time of the last status change: what "age" counts from. */
const since = sql<number>`coalesce((SELECT max(json_extract(value, '$.at')) FROM json_each(${entries.transitions})), ${entries.createdAt})`;
/** The first stored issue of the worst severity. */
const worstIssue = (field: "rule" | "message") =>
  sql<string | null>`(SELECT json_extract(value, ${`$.${field}`}) FROM json_each(${entryContents.metadata}, '$.edge_validation.issues')
     WHERE json_extract(value, '$.severity') = (CASE ${worstRank} WHEN 4 THEN 'critical' WHEN 3 THEN 'error' WHEN 2 THEN 'warning' WHEN 1 THEN 'info' END) LIMIT 1)`;

const sortColumn: Record<(typeof queueSorts)[number], SQL> = {
  age: since,
  score: sql`coalesce(${score}, 2)`,
  worst: worstRank,
  subject: sql`${entries.subject} COLLATE NOCASE`,
  tier: sql`${entries.tier}`,
  category: sql`${entries.category} COLLATE NOCASE`,
};

function filters(keyId: string, q: QueueQuery): SQL | undefined {
  const where: (SQL | undefined)[] = [eq(entries.keyId, keyId), eq(entries.status, q.status)];
  if (q.tier) where.push(eq(entries.tier, q.tier));
  if (q.category) where.push(sql`${entries.category} = ${q.category} COLLATE NOCASE`);
  if (q.worst) where.push(sql`${worstRank} = ${rankName.indexOf(q.worst)}`);
  if (q.q) where.push(sql`${entries.subject} LIKE ${`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`);
  return and(...where);
}

export async function queuePage(db: EdgeDb, keyId: string, q: QueueQuery): Promise<{ rows: QueueRow[]; total: number; pages: number }> {
  const where = filters(keyId, q);
  const dir = q.dir ?? defaultDir[q.sort];
  // "age" descending means oldest first: the age grows as the time it counts from falls.
  const timeDir = q.sort === "age" ? (dir === "desc" ? sql`ASC` : sql`DESC`) : dir === "desc" ? sql`DESC` : sql`ASC`;
  const [totalRow] = await db
    .select({ n: sql<number>`count(*)` })
    .from(entries)
    .leftJoin(entryContents, eq(entryContents.entryId, entries.id))
    .where(where)
    .all();
  const total = Number(totalRow?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const rows = await db
    .select({
      id: entries.id,
      subject: entries.subject,
      tier: entries.tier,
      category: entries.category,
      status: entries.status,
      revision: entries.revision,
      score,
      worst: worstRank,
      worstRule: worstIssue("rule"),
      worstMessage: worstIssue("message"),
      issueCount: sql<number>`(${count("info")} + ${count("warning")} + ${count("error")} + ${count("critical")})`,
      since,
    })
    .from(entries)
    .leftJoin(entryContents, eq(entryContents.entryId, entries.id))
    .where(where)
    .orderBy(sql`${sortColumn[q.sort]} ${timeDir}`, sql`${entries.id} ASC`)
    .limit(pageSize)
    .offset((Math.min(q.page, pages) - 1) * pageSize)
    .all();
  return {
    total,
    pages,
    rows: rows.map((r) => ({
      ...r,
      score: r.score === null ? null : Number(r.score),
      worstSeverity: Number(r.worst) > 0 ? rankName[Number(r.worst)]! : null,
      issueCount: Number(r.issueCount),
      since: Number(r.since),
    })),
  };
}

/** The categories among the key's entries, for the filter's choices. */
export async function queueCategories(db: EdgeDb, keyId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ category: entries.category }).from(entries).where(eq(entries.keyId, keyId)).orderBy(entries.category).limit(200).all();
  return rows.map((r) => r.category);
}
