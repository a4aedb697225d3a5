// Drizzle over whichever libSQL client the runtime gave us (web client on Workers, file client on
// Node). The `web` flavour of the driver pulls in nothing Node-only, so the Worker bundle stays clean.
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema.ts";

export type EdgeDb = LibSQLDatabase<typeof schema>;

export function edgeDb(client: Client): EdgeDb {
  return drizzle(client, { schema });
}
