// Defaults of the embedded setup: everything lives under .opus/ in the current directory.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { newSigningSecret } from "../shared/api/signing.ts";

export const stateDir = path.resolve(process.env.OPUS_HOME ?? ".opus");
export const defaultDbUrl = () => process.env.OPUS_DB_URL ?? `file:${path.join(stateDir, "edge.db")}`;

function remembered(file: string, make: () => string): string {
  const full = path.join(stateDir, file);
  if (existsSync(full)) return readFileSync(full, "utf8").trim();
  mkdirSync(stateDir, { recursive: true });
  const value = make();
  writeFileSync(full, `${value}\n`, { mode: 0o600 });
  chmodSync(full, 0o600);
  return value;
}

/** The node secret: OPUS_NODE_SECRET, else one generated once and kept in .opus/node-secret. */
export const defaultNodeSecret = () => process.env.OPUS_NODE_SECRET ?? remembered("node-secret", newSigningSecret);

export { remembered };
