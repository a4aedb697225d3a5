// The status poll's reads over a libSQL client made per request (the Worker's, see worker.ts).
// Drizzle prepares a query per database handle, so a new handle per request meant building the
// query's SQL again on every poll (with the drizzle instance itself, about a quarter of the
// Worker's CPU for a poll, profiled under Miniflare). Here the SQL is taken apart once per isolate and a poll is one `execute` on the
// request's client, decoded through the same columns drizzle would use (db/poll-statements.ts).
import type { Client } from "@libsql/client";
import { getTableColumns } from "drizzle-orm";
import { statusColumns, statusQuery, versionQuery, type EntryStatusRow, type EntryVersionRow, type StatusPolls } from "../entries/reads.ts";
import { edgeDb } from "./client.ts";
import { pollStatement, type PollStatement } from "./poll-statements.ts";
import { entries } from "./schema.ts";

type Statements = { status: PollStatement<EntryStatusRow>; version: PollStatement<EntryVersionRow> };
let statements: Statements | undefined;

/** The poll statements, built once (the SQL does not depend on the client, only its dialect). */
function pollStatements(client: Client): Statements {
  if (!statements) {
    const db = edgeDb(client);
    const { id, version } = getTableColumns(entries);
    statements = {
      status: pollStatement<EntryStatusRow>(statusQuery(db), statusColumns),
      version: pollStatement<EntryVersionRow>(versionQuery(db), { id, version }),
    };
  }
  return statements;
}

async function first<Row>(client: Client, statement: PollStatement<Row>, values: Record<string, string>): Promise<Row | undefined> {
  const { rows } = await client.execute({ sql: statement.sql, args: statement.args(values) });
  return rows[0] ? statement.decode(rows[0]) : undefined;
}

/** Where the polls get their client: read only when a poll runs, so other routes never make one. */
export type ClientSource = { readonly client: Client };

/** A class, not closures: the Worker makes one per request, and its methods are made once. */
export class ClientPolls implements StatusPolls {
  constructor(private readonly source: ClientSource) {}

  version(id: string, keyId: string): Promise<EntryVersionRow | undefined> {
    const { client } = this.source;
    return first(client, pollStatements(client).version, { id, keyId });
  }

  async statusJson(id: string, keyId: string, render: (row: EntryStatusRow) => string): Promise<{ version: number; json: string } | undefined> {
    const { client } = this.source;
    const row = await first(client, pollStatements(client).status, { id, keyId });
    return row && { version: row.version, json: render(row) };
  }
}
