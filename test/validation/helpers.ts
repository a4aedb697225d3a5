// Small builders for test entries in the house style.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lintMarkdownSync, type Issue } from "../../shared/validation/index.ts";

export const NBSP4 = "\u00a0".repeat(4);
export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
export const fixture = (name: string): string => readFileSync(path.join(fixturesDir, name), "utf8");

/** A paragraph with the house indent. */
export const p = (text: string): string => NBSP4 + text;

/** An entry: title, then sections "## I. ...", each a list of paragraphs. */
export function entry(title: string, sections: [string, string[]][], lead: string[] = []): string {
  const parts = [`# ${title}`, ...lead.map(p)];
  sections.forEach(([heading, paras], i) => {
    parts.push(`## ${["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][i]}. ${heading}`, ...paras.map(p));
  });
  return parts.join("\n\n") + "\n";
}

/** One section holding the given paragraphs, as a minimal well-formed entry. */
export const oneSection = (...paras: string[]): string => entry("Test", [["Test", paras]]);

/** Issues of one rule (or rule prefix ending in "/") for a text. */
export function issuesOf(markdown: string, rule: string, opts: Parameters<typeof lintMarkdownSync>[1] = {}): Issue[] {
  return lintMarkdownSync(markdown, opts).issues.filter((i) => (rule.endsWith("/") ? i.rule.startsWith(rule) : i.rule === rule));
}
