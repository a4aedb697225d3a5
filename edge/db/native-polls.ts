// Node entry only: the status poll's reads as statements prepared once on their own connection to
// the local libSQL file, through the `libsql` package (the engine @libsql/client itself runs on
// files, with better-sqlite3's prepared-statement API). @libsql/client prepares a statement again
// and reads its columns twice on every call, which was most of a poll's cost; here a poll is one
// `get` on a statement prepared at start. The SQL and the decoding of each column come from the
// drizzle queries in entries/reads.ts, so the two paths cannot drift apart.
//
// Since a version read costs microseconds here, a poll reads the version first and reuses the
// status JSON it rendered for that version: every change of an entry bumps its version, so a
// reused body is exactly what rendering the row again would give.
import Database from "libsql";
import { getTableColumns, type Column } from "drizzle-orm";
import type { EdgeDb } from "./client.ts";
import { statusColumns, statusQuery, versionQuery, type EntryStatusRow, type EntryVersionRow, type StatusPolls } from "../entries/reads.ts";
import { pollStatement, type SelectQuery } from "./poll-statements.ts";
import { entries } from "./schema.ts";

/** A drizzle select prepared natively: returns rows decoded by the same columns drizzle would use. */
function prepare<Row>(connection: Database.Database, query: SelectQuery, columns: Record<string, Column>) {
  const { sql, args, decode } = pollStatement<Row>(query, columns);
  const statement = connection.prepare(sql).raw(true);
  return (values: Record<string, string>): Row | undefined => {
    const raw = statement.get(args(values)) as unknown[] | undefined;
    return raw ? decode(raw) : undefined;
  };
}

/** Most status bodies kept (least recently rendered go first). */
const maxCachedBodies = 10_000;

export function nativePolls(file: string, db: EdgeDb): { polls: StatusPolls; close: () => void } {
  const connection = new Database(file);
  const status = prepare<EntryStatusRow>(connection, statusQuery(db), statusColumns);
  const columns = getTableColumns(entries);
  const version = prepare<EntryVersionRow>(connection, versionQuery(db), { id: columns.id, version: columns.version });
  const rendered = new Map<string, { version: number; json: string }>();
  return {
    polls: {
      version: async (id, keyId) => version({ id, keyId }),
      statusJson: async (id, keyId, render) => {
        const cacheKey = `${keyId} ${id}`;
        const current = version({ id, keyId });
        if (!current) return undefined;
        const hit = rendered.get(cacheKey);
        if (hit && hit.version === current.version) return hit;
        const row = status({ id, keyId });
        if (!row) return undefined;
        const fresh = { version: row.version, json: render(row) };
        rendered.delete(cacheKey);
        rendered.set(cacheKey, fresh);
        if (rendered.size > maxCachedBodies) rendered.delete(rendered.keys().next().value!);
        return fresh;
      },
    },
    close: () => connection.close(),
  };
}
