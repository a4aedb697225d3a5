// A drizzle select taken apart for a driver that runs the SQL itself: its text, the order of its
// named placeholders, and a decoder that turns a raw row (values in select order) into the row
// drizzle would have returned, through the same columns. The status poll's fast paths (the Node
// entry's native statements, the Worker's per-request client) share it, so neither can drift from
// the drizzle queries in entries/reads.ts.
import type { Column } from "drizzle-orm";

export type SelectQuery = { toSQL(): { sql: string; params: unknown[] } };

export type PollStatement<Row> = {
  sql: string;
  /** The placeholder values in the order the SQL binds them. */
  args(values: Record<string, string>): string[];
  decode(raw: ArrayLike<unknown>): Row;
};

export function pollStatement<Row>(query: SelectQuery, columns: Record<string, Column>): PollStatement<Row> {
  const { sql, params } = query.toSQL();
  // The queries bind named placeholders (sql.placeholder): their order in the SQL is the order of `params`.
  const order = params.map((p) => (p as { name: string }).name);
  const fields = Object.entries(columns);
  return {
    sql,
    args: (values) => order.map((name) => values[name]!),
    decode: (raw) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const [key, column] = fields[i]!;
        const value = raw[i];
        row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return row as Row;
    },
  };
}
