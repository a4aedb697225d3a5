// TEST INFRASTRUCTURE ONLY. A minimal Hrana-over-HTTP (v2, JSON) server backed by libSQL on a local
// file (the `libsql` engine that @libsql/client uses for files, held as one connection, since the
// client's own pool rolls back any transaction left open between calls), so the real Worker bundle under Miniflare can use its real `@libsql/client/web`
// driver against a real libSQL database. Production uses Turso, and `wrangler dev` uses `turso dev`;
// neither sqld nor `turso dev` can be installed on the CI machine, hence this bridge.
// Pipelines run one at a time on one connection: batches (which carry their own BEGIN/COMMIT
// steps) are atomic, which is all the edge relies on.
import { createServer, type Server } from "node:http";
import Database from "libsql";

type InValue = null | bigint | number | string | Buffer;
type ResultSet = { columns: string[]; columnTypes: string[]; rows: unknown[][]; rowsAffected: number; lastInsertRowid: bigint | undefined };

type HValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };
type HStmt = { sql?: string; sql_id?: number; args?: HValue[]; named_args?: { name: string; value: HValue }[]; want_rows?: boolean };
type HCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: HCond }
  | { type: "and" | "or"; conds: HCond[] }
  | { type: "is_autocommit" };
type HRequest =
  | { type: "execute"; stmt: HStmt }
  | { type: "batch"; batch: { steps: { condition?: HCond | null; stmt: HStmt }[] } }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "describe"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "close" }
  | { type: "get_autocommit" };

function fromHrana(v: HValue): InValue {
  switch (v.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(v.value);
    case "float":
      return v.value;
    case "text":
      return v.value;
    case "blob":
      return Buffer.from(v.base64, "base64");
  }
}

function toHrana(v: unknown): HValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof ArrayBuffer) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { type: "blob", base64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  throw new Error(`unsupported value ${typeof v}`);
}

function stmtResult(rs: ResultSet) {
  return {
    cols: rs.columns.map((name, i) => ({ name, decltype: rs.columnTypes[i] || null })),
    rows: rs.rows.map((row) => row.map(toHrana)),
    affected_row_count: rs.rowsAffected,
    last_insert_rowid: rs.lastInsertRowid === undefined ? null : rs.lastInsertRowid.toString(),
  };
}

function sqliteError(error: unknown) {
  const e = error as { message?: string; code?: string };
  return { message: e.message ?? String(error), code: e.code ?? "UNKNOWN" };
}

export type HranaBridge = { url: string; close: () => Promise<void> };

export async function startHranaBridge(file: string): Promise<HranaBridge> {
  const db = new Database(file);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA busy_timeout = 5000");
  const execute = (sql: string, args: InValue[] | Record<string, InValue>): ResultSet => {
    const stmt = db.prepare(sql);
    stmt.safeIntegers(true);
    const params = Array.isArray(args) ? args : [args];
    let returnsData = true;
    try {
      stmt.raw(true);
    } catch {
      returnsData = false; // raw() throws for statements that return no rows
    }
    if (returnsData) {
      const cols = stmt.columns();
      return { columns: cols.map((c) => c.name), columnTypes: cols.map((c) => c.type ?? ""), rows: stmt.all(...params) as unknown[][], rowsAffected: 0, lastInsertRowid: undefined };
    }
    const info = stmt.run(...params);
    return { columns: [], columnTypes: [], rows: [], rowsAffected: info.changes, lastInsertRowid: BigInt(info.lastInsertRowid) };
  };
  const stored = new Map<number, string>();
  let queue: Promise<unknown> = Promise.resolve();

  const sqlOf = (s: { sql?: string; sql_id?: number }) => s.sql ?? stored.get(s.sql_id ?? -1) ?? "";
  const run = (stmt: HStmt) => {
    const args = stmt.named_args?.length
      ? Object.fromEntries(stmt.named_args.map((a) => [a.name.replace(/^[:@$]/, ""), fromHrana(a.value)]))
      : (stmt.args ?? []).map(fromHrana);
    return execute(sqlOf(stmt), args);
  };
  const autocommit = async () => !db.inTransaction;

  async function handle(req: HRequest): Promise<unknown> {
    switch (req.type) {
      case "execute":
        return { type: "execute", result: stmtResult(await run(req.stmt)) };
      case "batch": {
        const results: (ReturnType<typeof stmtResult> | null)[] = [];
        const errors: (ReturnType<typeof sqliteError> | null)[] = [];
        const holds = async (c: HCond): Promise<boolean> => {
          switch (c.type) {
            case "ok":
              return results[c.step] != null;
            case "error":
              return errors[c.step] != null;
            case "not":
              return !(await holds(c.cond));
            case "and":
              for (const x of c.conds) if (!(await holds(x))) return false;
              return true;
            case "or":
              for (const x of c.conds) if (await holds(x)) return true;
              return false;
            case "is_autocommit":
              return autocommit();
          }
        };
        for (const step of req.batch.steps) {
          if (step.condition && !(await holds(step.condition))) {
            results.push(null);
            errors.push(null);
            continue;
          }
          try {
            results.push(stmtResult(await run(step.stmt)));
            errors.push(null);
          } catch (error) {
            results.push(null);
            errors.push(sqliteError(error));
          }
        }
        return { type: "batch", result: { step_results: results, step_errors: errors } };
      }
      case "sequence":
        db.exec(sqlOf(req));
        return { type: "sequence" };
      case "describe":
        throw new Error("describe is not supported by the test bridge");
      case "store_sql":
        stored.set(req.sql_id, req.sql);
        return { type: "store_sql" };
      case "close_sql":
        stored.delete(req.sql_id);
        return { type: "close_sql" };
      case "close":
        return { type: "close" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: await autocommit() };
    }
  }

  async function pipeline(body: { baton: string | null; requests: HRequest[] }) {
    const results = [];
    for (const request of body.requests) {
      try {
        results.push({ type: "ok", response: await handle(request) });
      } catch (error) {
        results.push({ type: "error", error: sqliteError(error) });
      }
    }
    const closing = body.requests.some((r) => r.type === "close");
    return { baton: closing ? null : (body.baton ?? `b${Math.random().toString(36).slice(2)}`), base_url: null, results };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (req.method === "POST" && path === "/v2/pipeline") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const work = queue.then(() => pipeline(body));
        queue = work.catch(() => undefined);
        work.then(
          (out) => {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify(out));
          },
          (error) => {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ message: String(error) }));
          },
        );
        return;
      }
      if (req.method === "GET" && path === "/v2") {
        res.writeHead(200).end();
        return;
      }
      // Unknown versions (v3-protobuf) answer 404 so clients fall back to v2.
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
