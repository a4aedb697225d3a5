// `opus lint <files...> [--json] [--fix] [--tier S|A|B]`: run the validators on Markdown entries.
// Exit 0 when no file has an error or critical issue, 1 otherwise, 2 on bad usage (including an
// unreadable file or a malformed --config).
import { readFileSync, writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import YAML from "yaml";
import { checkConfig, fixMarkdown, lintMarkdown, type Issue, type LintReport, type Tier, type ValidationConfig } from "../../shared/validation/index.ts";
import type { QuotationCheck } from "../../shared/validation/quotation/index.ts";
import { SourceFormatError } from "../../gpu-node/sources/index.ts";
import { openLintSources, type LintSources } from "../lint-sources.ts";

type LintOptions = { json?: boolean; fix?: boolean; tier?: Tier; config?: string; place?: "edge" | "gpu"; sources?: string };

export interface LintFileResult {
  file: string;
  passed: boolean;
  score: number;
  issues: {
    rule: string;
    severity: Issue["severity"];
    message: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    suggestion: string | null;
    fixable: boolean;
  }[];
  /** With --sources: every quotation checked, verified or not, with its passage. */
  quotations?: QuotationCheck[];
}

class UsageError extends Error {}

function loadConfig(file: string | undefined): ValidationConfig {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --config ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
    // A project config file may hold other sections: take its `validation` section when present.
    const section = parsed && typeof parsed === "object" && "validation" in parsed ? (parsed as { validation: unknown }).validation : parsed;
    return checkConfig(section);
  } catch (error) {
    throw new UsageError(`--config ${file}: ${(error as Error).message}`);
  }
}

function toResult(file: string, report: LintReport): LintFileResult {
  return {
    file,
    passed: report.passed,
    score: report.score,
    issues: report.issues.map((i) => ({
      rule: i.rule,
      severity: i.severity,
      message: i.message,
      line: i.line,
      column: i.column,
      endLine: i.endLine,
      endColumn: i.endColumn,
      suggestion: i.suggestion ?? null,
      fixable: i.fixable,
    })),
  };
}

function printHuman(result: LintFileResult, fixed: number | null): void {
  const out = process.stdout;
  for (const i of result.issues) {
    out.write(`${result.file}:${i.line}:${i.column}  ${i.severity.padEnd(8)} ${i.rule.padEnd(28)} ${i.message}\n`);
    if (i.suggestion) out.write(`${" ".repeat(result.file.length + 2)}  ${"".padEnd(8)} ${"".padEnd(28)} -> ${i.suggestion}${i.fixable ? " (fixable with --fix)" : ""}\n`);
  }
  const counts = { critical: 0, error: 0, warning: 0, info: 0 };
  for (const i of result.issues) counts[i.severity]++;
  const fixedNote = fixed !== null ? `, ${fixed} fixed` : "";
  out.write(
    `${result.file}: ${result.passed ? "passed" : "FAILED"} (score ${result.score.toFixed(2)}; ${counts.critical} critical, ${counts.error} errors, ${counts.warning} warnings, ${counts.info} info${fixedNote})\n`,
  );
}

/** One line on stderr when --sources holds works the cache has not read yet. */
function sourcesProgress(): (p: { phase: string; done: number; total: number; added: number; replaced: number }) => void {
  let announced = false;
  return (p) => {
    if (p.phase !== "reading" || announced || p.added + p.replaced === 0) return;
    announced = true;
    process.stderr.write("opus lint: reading the --sources library (only new or changed works are read again)\n");
  };
}

export function registerLint(program: Command): void {
  program
    .command("lint")
    .description("check Markdown entries against the house style, Scripture, patristic and doctrine rules")
    .argument("<files...>", "Markdown files to check")
    .option("--json", "print one JSON document with the results of every file")
    .option("--fix", "apply automatic fixes in place, then report what remains")
    .addOption(new Option("--tier <tier>", "check length targets of this tier").choices(["S", "A", "B"]))
    .addOption(new Option("--place <place>", "run the validators of this place").choices(["edge", "gpu"]).default("edge"))
    .option("--config <file>", "validation config (JSON or YAML; a `validation:` section is used when present)")
    .option("--sources <path>", "check quotations against a library: a folder or file of sources (docs/sources.md) or a GPU node database")
    .action(async (files: string[], opts: LintOptions) => {
      let config: ValidationConfig;
      const texts: string[] = [];
      try {
        config = loadConfig(opts.config);
        for (const file of files) {
          try {
            texts.push(readFileSync(file, "utf8"));
          } catch (error) {
            throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
          }
        }
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`opus lint: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      let sources: LintSources | undefined;
      if (opts.sources) {
        try {
          sources = await openLintSources(opts.sources, opts.json ? undefined : sourcesProgress());
        } catch (error) {
          if (!(error instanceof SourceFormatError)) throw error;
          process.stderr.write(`opus lint: --sources ${opts.sources}: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
      }
      const lintOptions = { ...(opts.tier ? { tier: opts.tier } : {}), place: opts.place ?? "edge", config };
      const results: LintFileResult[] = [];
      for (let n = 0; n < files.length; n++) {
        const file = files[n]!;
        let text = texts[n]!;
        let fixed: number | null = null;
        if (opts.fix) {
          const result = fixMarkdown(text, lintOptions);
          fixed = Object.values(result.fixed).reduce((a, b) => a + b, 0);
          if (result.markdown !== text) {
            writeFileSync(file, result.markdown);
            text = result.markdown;
          }
        }
        const checked = sources ? await sources.lint(text, lintOptions) : undefined;
        const result = toResult(file, checked ? checked.report : await lintMarkdown(text, lintOptions));
        if (checked) result.quotations = checked.quotations;
        results.push(result);
        if (!opts.json) printHuman(result, fixed);
      }
      await sources?.close();
      if (opts.json) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
      process.exitCode = results.every((r) => r.passed) ? 0 : 1;
    });
}
