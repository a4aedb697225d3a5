import { createClient } from "@libsql/client";
const c = createClient({ url: "file:/tmp/demo/.opus/" + process.argv[2] });
const t = await c.execute("select name from sqlite_master where type='table'");
console.log(t.rows.map(r=>r.name).join(","));
const r = await c.execute("select key, kind, reason from " + process.argv[3] + " where kind='retry' order by rowid desc limit 15");
for (const row of r.rows) console.log(row.key, row.reason);
