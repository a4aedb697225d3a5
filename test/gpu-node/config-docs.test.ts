// The documentation's key tables and the node's schema say the same thing: every key of the schema
// is in docs/engine.md and every key there is in the schema; every OPUS_* variable the tables name
// (docs/engine.md, the README's GPU node table) is one the node reads, mapped to the key they say.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { envAliases, modelEnvAliases, nodeConfigSchema } from "../../gpu-node/config/index.ts";
import { allowedKeysAt, schemaAt } from "../../gpu-node/config/schema-walk.ts";
import { modelConfigSchema } from "../../gpu-node/engine/config/schema.ts";
import { repoRoot } from "../support/paths.ts";

const engineDoc = readFileSync(path.join(repoRoot, "docs/engine.md"), "utf8");
const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
const knowledgeDoc = readFileSync(path.join(repoRoot, "docs/knowledge.md"), "utf8");

/** Sections documented as one row (their keys are a fixed table: tiers S, A, B; the quality weights). */
const groupRows = new Set(["pipeline.tiers", "pipeline.weights"]);
/** Variables the loader reads itself, beside the aliases: file, profile, generator. */
const loaderVariables = new Set(["OPUS_MODEL", "OPUS_MODEL_ID", "OPUS_CONFIG", "OPUS_PROFILE"]);

/** The rows of the Markdown table under `heading` (up to the next heading), as cells. */
function tableUnder(doc: string, heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,6} /);
  return (end < 0 ? rest : rest.slice(0, end))
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| ---"))
    .slice(1)
    .map((l) => l.replace(/\\\|/g, "/").split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, "").trim()));
}

const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Keys named in a cell; a bare name after a dotted one is in the same section (`calibration.a`, `b`). */
function keysIn(cell: string): string[] {
  let section = "";
  return ticked(cell).map((token) => {
    const key = token.replace(/\[\]$/, "").replace(/\.S\/A\/B$/, "");
    if (key.includes(".")) section = key.slice(0, key.lastIndexOf("."));
    else if (section) return `${section}.${key}`;
    return key;
  });
}

/** Every key of the schema, objects descended, each group row and array taken as one key. */
function schemaKeys(prefix: string[] = []): string[] {
  const out: string[] = [];
  for (const key of allowedKeysAt(nodeConfigSchema, prefix)) {
    const at = [...prefix, key];
    const name = at.join(".");
    const isObject = allowedKeysAt(nodeConfigSchema, at).length > 0;
    if (isObject && !groupRows.has(name)) out.push(...schemaKeys(at));
    else out.push(name);
  }
  return out;
}

describe("configuration documentation", () => {
  it("documents every key of the node's schema in docs/engine.md, and no other", () => {
    const documented = tableUnder(engineDoc, "### Keys").flatMap((row) => keysIn(row[0]!));
    const keys = schemaKeys();
    expect(keys.filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => schemaAt(nodeConfigSchema, k.split(".")) === undefined)).toEqual([]);
  });

  it("documents every model setting", () => {
    const documented = tableUnder(engineDoc, "### Models").flatMap((row) => ticked(row[0]!));
    expect(documented.sort()).toEqual(Object.keys(modelConfigSchema.shape).sort());
  });

  it("maps each variable of docs/engine.md's table to the key the node reads it into", () => {
    const rows = tableUnder(engineDoc, "## Environment overrides");
    const named = new Set<string>();
    for (const [variables, setting] of rows) {
      const vars = ticked(variables!);
      vars.forEach((v) => named.add(v));
      if (vars.every((v) => loaderVariables.has(v))) continue;
      if (vars.every((v) => v in modelEnvAliases)) continue;
      expect(keysIn(setting!), `${variables}`).toEqual(vars.map((v) => envAliases[v]?.join(".")));
    }
    // Every friendly name the node reads is in the table.
    expect(Object.keys(envAliases).filter((v) => !named.has(v))).toEqual([]);
    expect(Object.keys(modelEnvAliases).filter((v) => !named.has(v))).toEqual([]);
  });

  it("maps docs/knowledge.md's variables to the knowledge base's keys", () => {
    const rows = tableUnder(knowledgeDoc, "## Settings");
    expect(rows.length).toBeGreaterThan(3);
    for (const [variable, key] of rows) expect(envAliases[ticked(variable!)[0]!]?.join("."), variable).toBe(ticked(key!)[0]);
  });

  it("names only variables the node reads in the README's GPU node table", () => {
    const rows = tableUnder(readme, "### GPU node");
    const variables = rows.flatMap((row) => ticked(row[0]!)).filter((v) => v.startsWith("OPUS_"));
    expect(variables.length).toBeGreaterThan(5);
    const read = (v: string) => v in envAliases || v in modelEnvAliases || loaderVariables.has(v) || v === "OPUS_<SECTION>__<KEY>";
    expect(variables.filter((v) => !read(v))).toEqual([]);
    // Its example of the general form names real keys.
    for (const example of readme.matchAll(/`OPUS_([A-Z]+)__([A-Z_]+)=/g)) {
      const camel = (s: string) => s.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      expect(schemaAt(nodeConfigSchema, [camel(example[1]!), camel(example[2]!)]), example[0]).toBeDefined();
    }
  });
});
