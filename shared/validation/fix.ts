// Applies validators' fixes until nothing is left to fix (a fixed point) or the round limit is
// reached. Each rule's fixes are tried as one batch and kept only when no other rule gains an issue
// and the rule's own count falls, so a fix never breaks a rule that passed.
import type { FixResult, Issue, TextEdit, Validator } from "./types.ts";
import type { RunOptions, ValidationPipeline } from "./pipeline.ts";

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue; // overlapping edit: left for a later round
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Non-overlapping edits of a rule's issues, first come first served. */
function batch(issues: readonly Issue[]): { edits: TextEdit[]; count: number } {
  const edits: TextEdit[] = [];
  let count = 0;
  let reach = -1;
  for (const issue of [...issues].sort((a, b) => a.start - b.start)) {
    const fixEdits = [...(issue.fix?.edits ?? [])].sort((a, b) => a.start - b.start);
    if (fixEdits.length === 0) continue;
    if (fixEdits[0]!.start < reach) continue;
    let overlap = false;
    for (let i = 1; i < fixEdits.length; i++) if (fixEdits[i]!.start < fixEdits[i - 1]!.end) overlap = true;
    if (overlap) continue;
    edits.push(...fixEdits);
    reach = Math.max(reach, ...fixEdits.map((e) => e.end));
    count++;
  }
  return { edits, count };
}

function countsByRule(issues: readonly Issue[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of issues) m.set(i.rule, (m.get(i.rule) ?? 0) + 1);
  return m;
}

export function fixText(
  pipeline: ValidationPipeline,
  markdown: string,
  options: RunOptions & { maxRounds?: number },
  extra: readonly Validator[] = [],
): FixResult {
  const maxRounds = options.maxRounds ?? 5;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new Error("maxRounds must be a positive integer");
  const fixed: Record<string, number> = {};
  const rejected: Record<string, number> = {};
  let text = markdown;
  let report = pipeline.runSync(text, options, extra);
  let rounds = 0;
  while (rounds < maxRounds) {
    const fixable = report.issues.filter((i) => i.fix);
    if (fixable.length === 0) break;
    rounds++;
    // Rules in the order the pipeline runs them, so structural fixes land before cosmetic ones.
    const order = new Map(pipeline.plan(options, extra).map((p, i) => [p.validator.id, i]));
    const rules = [...new Set(fixable.map((i) => i.rule))].sort(
      (a, b) => (order.get(familyOf(a, order)) ?? 0) - (order.get(familyOf(b, order)) ?? 0) || (a < b ? -1 : 1),
    );
    let progressed = false;
    for (const rule of rules) {
      const issues = report.issues.filter((i) => i.rule === rule && i.fix);
      if (issues.length === 0) continue;
      const { edits, count } = batch(issues);
      if (count === 0) continue;
      const candidate = applyEdits(text, edits);
      if (candidate === text) continue;
      const next = pipeline.runSync(candidate, options, extra);
      const before = countsByRule(report.issues);
      const after = countsByRule(next.issues);
      // Stricter than "no passing rule fails": no other rule may gain any issue.
      const breaks = [...after.entries()].some(([r, n]) => r !== rule && n > (before.get(r) ?? 0));
      const improves = (after.get(rule) ?? 0) < (before.get(rule) ?? 0);
      if (breaks || !improves) {
        rejected[rule] = (rejected[rule] ?? 0) + 1;
        continue;
      }
      fixed[rule] = (fixed[rule] ?? 0) + count;
      text = candidate;
      report = next;
      progressed = true;
    }
    if (!progressed) break;
  }
  return { markdown: text, rounds, fixed, rejected };
}

function familyOf(rule: string, order: Map<string, number>): string {
  if (order.has(rule)) return rule;
  const family = rule.slice(0, rule.indexOf("/"));
  return order.has(family) ? family : rule;
}
