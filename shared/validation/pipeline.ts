// Runs validators in priority order over one shared document model, times each, applies the
// configuration (enable/disable, severity, options per place and tier) and builds the report.
import type {
  Dimension,
  Issue,
  IssueDraft,
  LintReport,
  OpusDocument,
  RuleStats,
  RunPlace,
  Severity,
  Tier,
  ValidationConfig,
  Validator,
} from "./types.ts";
import { effectiveRule } from "./config.ts";
import { parseDocument } from "./document/parse.ts";
import { scoreReport } from "./score.ts";

const now: () => number = typeof performance !== "undefined" ? () => performance.now() : () => Date.now();

export interface RunOptions {
  tier?: Tier | undefined;
  place?: RunPlace;
  config?: ValidationConfig | undefined;
}

interface Planned {
  validator: Validator;
  priority: number;
  options: Record<string, unknown>;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

export class ValidationPipeline {
  private readonly validators = new Map<string, Validator>();

  constructor(validators: readonly Validator[] = [], private readonly baseConfig: ValidationConfig = {}) {
    for (const v of validators) this.register(v);
  }

  /** Adds a validator, replacing any with the same id (plugins may override built-ins). */
  register(validator: Validator): this {
    if (!validator || typeof validator.id !== "string" || !validator.id) throw new Error("validator must have a non-empty string id");
    if (typeof validator.validate !== "function") throw new Error(`validator ${validator.id}: validate must be a function`);
    if (!Array.isArray(validator.places) || validator.places.length === 0) throw new Error(`validator ${validator.id}: places must list 'edge' and/or 'gpu'`);
    this.validators.set(validator.id, validator);
    return this;
  }

  unregister(id: string): boolean {
    return this.validators.delete(id);
  }

  list(): Validator[] {
    return [...this.validators.values()];
  }

  /** Validators that run for these options, in run order, with their effective options. */
  plan(options: RunOptions, extra: readonly Validator[] = []): Planned[] {
    const place = options.place ?? "edge";
    const config = mergeConfig(this.baseConfig, options.config);
    const all = new Map(this.validators);
    for (const v of extra) all.set(v.id, v);
    const planned: Planned[] = [];
    for (const v of all.values()) {
      if (!v.places.includes(place)) continue;
      const eff = effectiveRule(v.id, v, config, place, options.tier);
      if (!eff.enabled) continue;
      planned.push({ validator: v, priority: eff.priority, options: eff.options });
    }
    // Ties broken by id so the order (and therefore the output) is deterministic.
    return planned.sort((a, b) => a.priority - b.priority || (a.validator.id < b.validator.id ? -1 : a.validator.id > b.validator.id ? 1 : 0));
  }

  async run(input: string | OpusDocument, options: RunOptions = {}, extra: readonly Validator[] = []): Promise<LintReport> {
    return this.execute(input, options, extra, true) as Promise<LintReport>;
  }

  /** Synchronous run; validators that answer with a Promise are skipped and listed in `skipped`. */
  runSync(input: string | OpusDocument, options: RunOptions = {}, extra: readonly Validator[] = []): LintReport & { skipped: string[] } {
    return this.execute(input, options, extra, false) as LintReport & { skipped: string[] };
  }

  private execute(input: string | OpusDocument, options: RunOptions, extra: readonly Validator[], allowAsync: boolean): LintReport | Promise<LintReport> {
    const place = options.place ?? "edge";
    const tier = options.tier;
    const config = mergeConfig(this.baseConfig, options.config);
    const started = now();
    const doc = typeof input === "string" ? parseDocument(input) : input;
    const timings: Record<string, number> = { parse: now() - started };
    const plan = this.plan(options, extra);
    const drafts: { validator: Validator; drafts: IssueDraft[] }[] = [];
    const skipped: string[] = [];
    const pending: Promise<void>[] = [];

    for (const step of plan) {
      const t0 = now();
      let result: IssueDraft[] | Promise<IssueDraft[]>;
      try {
        result = step.validator.validate(doc, { tier, place, options: step.options });
      } catch (error) {
        throw new Error(`validator ${step.validator.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (result instanceof Promise) {
        if (!allowAsync) {
          result.catch(() => undefined);
          skipped.push(step.validator.id);
          continue;
        }
        const slot = { validator: step.validator, drafts: [] as IssueDraft[] };
        drafts.push(slot);
        pending.push(
          result.then(
            (d) => {
              slot.drafts = d;
              timings[step.validator.id] = now() - t0;
            },
            (error: unknown) => {
              throw new Error(`validator ${step.validator.id} failed: ${error instanceof Error ? error.message : String(error)}`);
            },
          ),
        );
      } else {
        timings[step.validator.id] = now() - t0;
        drafts.push({ validator: step.validator, drafts: result });
      }
    }
    const finish = (): LintReport => {
      const report = buildReport(doc, drafts, plan, config, place, tier, timings);
      timings.total = now() - started;
      return allowAsync ? report : Object.assign(report, { skipped });
    };
    return pending.length > 0 ? Promise.all(pending).then(finish) : allowAsync ? Promise.resolve(finish()) : finish();
  }
}

function mergeConfig(base: ValidationConfig, extra: ValidationConfig | undefined): ValidationConfig {
  if (!extra) return base;
  const mergeSettings = <T extends object>(a: T | undefined, b: T | undefined): T | undefined => (a || b ? ({ ...(a ?? {}), ...(b ?? {}) } as T) : undefined);
  const out: ValidationConfig = {};
  const rules = mergeSettings(base.rules, extra.rules);
  if (rules) out.rules = rules;
  const places: NonNullable<ValidationConfig["places"]> = {};
  for (const p of ["edge", "gpu"] as const) {
    const s = mergeSettings(base.places?.[p], extra.places?.[p]);
    if (s) places[p] = s;
  }
  out.places = places;
  const tiers: NonNullable<ValidationConfig["tiers"]> = {};
  for (const t of ["S", "A", "B"] as const) {
    const s = mergeSettings(base.tiers?.[t], extra.tiers?.[t]);
    if (s) tiers[t] = s;
  }
  out.tiers = tiers;
  return out;
}

function buildReport(
  doc: OpusDocument,
  results: { validator: Validator; drafts: IssueDraft[] }[],
  plan: Planned[],
  config: ValidationConfig,
  place: RunPlace,
  tier: Tier | undefined,
  timings: Record<string, number>,
): LintReport {
  const issues: Issue[] = [];
  const byRule: Record<string, RuleStats> = {};
  for (const step of plan) {
    byRule[step.validator.id] = { count: 0, ms: 0, severity: step.validator.severity, dimension: step.validator.dimension };
  }
  for (const { validator, drafts } of results) {
    const stats = byRule[validator.id]!;
    stats.ms = timings[validator.id] ?? 0;
    for (const d of drafts) {
      const ruleId = d.rule ?? validator.id;
      // Sub-rules of a family ("doctrine/filioque") can be configured on their own.
      const eff = ruleId === validator.id ? null : effectiveRule(ruleId, validator, config, place, tier);
      if (eff && !eff.enabled) continue;
      const severity = d.severity ?? eff?.severity ?? effectiveRule(validator.id, validator, config, place, tier).severity;
      const start = Math.max(0, Math.min(d.start, doc.text.length));
      const end = Math.max(start, Math.min(d.end, doc.text.length));
      const from = doc.position(start);
      const to = doc.position(end);
      const issue: Issue = {
        rule: ruleId,
        severity,
        dimension: validator.dimension,
        message: d.message,
        line: from.line,
        column: from.column,
        endLine: to.line,
        endColumn: to.column,
        start,
        end,
        fixable: d.fix !== undefined,
      };
      if (d.suggestion !== undefined) issue.suggestion = d.suggestion;
      if (d.fix) issue.fix = d.fix;
      issues.push(issue);
      stats.count++;
      if (ruleId !== validator.id) {
        const sub = (byRule[ruleId] ??= { count: 0, ms: 0, severity, dimension: validator.dimension });
        sub.count++;
      }
    }
  }
  issues.sort((a, b) => a.start - b.start || a.end - b.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : 1));
  const counts: Record<Severity, number> = { info: 0, warning: 0, error: 0, critical: 0 };
  for (const i of issues) counts[i.severity]++;
  const ran = new Set<Dimension>(plan.map((p) => p.validator.dimension));
  const { score, dimensions } = scoreReport(issues, doc.wordCount, ran);
  return {
    passed: issues.every((i) => SEVERITY_RANK[i.severity] < SEVERITY_RANK.error),
    score,
    dimensions,
    issues,
    timings,
    byRule,
    counts,
    tier: tier ?? null,
    place,
    wordCount: doc.wordCount,
  };
}
