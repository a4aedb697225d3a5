// structure/word-count: the entry's length and sections against the tier's targets. Without a
// tier (linting any file) only the per-section floor applies. Targets are options, so they can be
// tuned per tier from configuration.
import type { IssueDraft, OpusDocument, Tier, Validator } from "../../types.ts";

export interface TierTargets {
  minWords: number;
  minSections: number;
  minSectionWords: number;
  maxSectionWords: number;
}

export const DEFAULT_TARGETS: Record<Tier | "none", TierTargets> = {
  S: { minWords: 10000, minSections: 6, minSectionWords: 800, maxSectionWords: 4000 },
  A: { minWords: 5000, minSections: 5, minSectionWords: 500, maxSectionWords: 3000 },
  B: { minWords: 2500, minSections: 4, minSectionWords: 300, maxSectionWords: 2000 },
  none: { minWords: 0, minSections: 0, minSectionWords: 100, maxSectionWords: Number.POSITIVE_INFINITY },
};

/** 12,345 (Intl is slow to start and not needed for this). */
const fmt = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

export const wordCount: Validator = {
  id: "structure/word-count",
  description: "Entry length and section lengths meet the tier's targets.",
  severity: "error",
  dimension: "structure",
  priority: 50,
  places: ["edge", "gpu"],
  defaults: { targets: DEFAULT_TARGETS },
  validate(doc: OpusDocument, ctx): IssueDraft[] {
    const configured = (ctx.options.targets ?? {}) as Partial<Record<Tier | "none", Partial<TierTargets>>>;
    const key = ctx.tier ?? "none";
    const t: TierTargets = { ...DEFAULT_TARGETS[key], ...(configured[key] ?? {}) };
    const out: IssueDraft[] = [];
    const anchor = doc.title ?? doc.blocks[0];
    const at = { start: anchor?.start ?? 0, end: anchor?.end ?? 0 };
    const tierName = ctx.tier ? `tier ${ctx.tier}` : "an entry";
    if (doc.wordCount < t.minWords) {
      out.push({ ...at, message: `The entry has ${fmt(doc.wordCount)} words; ${tierName} needs at least ${fmt(t.minWords)}.`, suggestion: `Expand the thinnest sections by about ${fmt(t.minWords - doc.wordCount)} words.` });
    }
    if (doc.sections.length < t.minSections) {
      out.push({ ...at, message: `The entry has ${doc.sections.length} section${doc.sections.length === 1 ? "" : "s"}; ${tierName} needs at least ${t.minSections}.`, suggestion: 'Add numbered "## " sections.' });
    }
    for (const s of doc.sections) {
      const h = s.heading;
      const label = h.numeral ? `Section ${h.numeral}` : `Section "${h.title}"`;
      if (s.wordCount < t.minSectionWords) {
        out.push({ start: h.start, end: h.end, severity: "warning", message: `${label} has ${fmt(s.wordCount)} words; sections need at least ${fmt(t.minSectionWords)}.`, suggestion: "Develop the section or merge it with its neighbour." });
      } else if (s.wordCount > t.maxSectionWords) {
        out.push({ start: h.start, end: h.end, severity: "warning", message: `${label} has ${fmt(s.wordCount)} words; keep sections under ${fmt(t.maxSectionWords)}.`, suggestion: "Split it into two sections or tighten it." });
      }
    }
    return out;
  },
};
