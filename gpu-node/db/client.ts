// The GPU node's local libSQL database: one file, migrated from migrations/gpu-node at open.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "./schema/index.ts";

export type NodeDb = LibSQLDatabase<typeof schema> & { $client: Client };

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations/gpu-node");

/** Opens (creating if needed) the node database at `file`, or in memory for ":memory:". */
export async function openNodeDb(file: string): Promise<NodeDb> {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const client = createClient({ url: file === ":memory:" ? ":memory:" : `file:${path.resolve(file)}` });
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute("PRAGMA busy_timeout = 5000");
  const db = drizzle(client, { schema }) as NodeDb;
  await migrate(db, { migrationsFolder });
  return db;
}
