// The blueprint: section titles first (one grammar-constrained call), then each section's goal, key
// points and sources (one call per section, in parallel), so the plan fits any context size. Word
// targets and the paragraph plan are computed here from the tier table, not left to the model.
import { z } from "zod";
import { tiers, type Tier } from "../../shared/api/tier.ts";
import { toRoman } from "../../shared/text/roman.ts";
import type { PipelineConfig } from "./config.ts";
import { citableSources } from "./sources.ts";

const words = z.number().int().min(0);

export const ParagraphPlan = z.object({ point: z.string(), words });
export type ParagraphPlan = z.infer<typeof ParagraphPlan>;

export const SectionPlan = z.object({
  numeral: z.string(),
  title: z.string(),
  goal: z.string(),
  keyPoints: z.array(z.string()),
  sources: z.array(z.string()),
  wordTarget: words,
  paragraphs: z.array(ParagraphPlan),
});
export type SectionPlan = z.infer<typeof SectionPlan>;

export const EntryPlan = z.object({ subject: z.string(), category: z.string(), tier: z.enum(tiers), minWords: words, sections: z.array(SectionPlan) });
export type EntryPlan = z.infer<typeof EntryPlan>;

/** What the blueprint asks the model for each section. */
export const SectionDetail = z.object({ goal: z.string(), keyPoints: z.array(z.string()), sources: z.array(z.string()) });
export type SectionDetail = z.infer<typeof SectionDetail>;

/**
 * Grammars sized to the room left in the context: `chars` is how many characters of JSON the model
 * can still write, so a 512-token model gets short strings and a 32k model the full lengths.
 */
export const titlesSchema = (count: number, chars: number) => {
  const each = Math.max(8, Math.min(60, Math.floor((chars - 20) / count) - 6));
  return {
    type: "object",
    properties: { sections: { type: "array", minItems: count, maxItems: count, items: { type: "string", minLength: 3, maxLength: each } } },
  };
};

/** `choices`: the sources library's works when it has some on the subject, else the citation index's. */
export const sectionDetailSchema = (chars: number, choices: readonly string[] = []) => {
  const sources = choices.length > 0 ? [...choices] : citableSources();
  const longestSource = Math.max(...sources.map((s) => s.length));
  const sourceCount = chars >= 6 * longestSource ? 2 : 1;
  const room = Math.max(60, chars - 50 - sourceCount * (longestSource + 4));
  return {
    type: "object",
    properties: {
      goal: { type: "string", minLength: 10, maxLength: Math.max(20, Math.min(160, Math.floor(room * 0.3))) },
      keyPoints: { type: "array", minItems: 3, maxItems: 3, items: { type: "string", minLength: 5, maxLength: Math.max(12, Math.min(90, Math.floor((room * 0.7) / 3) - 4)) } },
      sources: { type: "array", minItems: 1, maxItems: sourceCount, items: { enum: sources } },
    },
  };
};

export const titlesPrompt = (subject: string, category: string, count: number) =>
  `Outline of an Orthodox theological encyclopedia entry on ${subject} (${category}), in ${count} sections. Section titles as JSON:\n`;

export const sectionDetailPrompt = (subject: string, titles: string[], index: number) =>
  `Encyclopedia entry: ${subject}. Sections: ${titles.map((t, i) => `${toRoman(i + 1)}. ${t}`).join("; ")}.\n` +
  `Plan for section ${toRoman(index + 1)}, "${titles[index]}": its goal, three key points and the sources it cites, as JSON:\n`;

/** One line of plain prose: no Markdown, no dashes the house style forbids. */
export function cleanLine(text: string): string {
  return text
    .replace(/[\u2013\u2014]/g, ", ")
    .replace(/[#*_`>\\|]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Splits a section's word target into paragraphs, cycling through its key points. */
export function planParagraphs(wordTarget: number, paragraphWords: number, keyPoints: string[], goal: string): ParagraphPlan[] {
  const count = Math.max(1, Math.round(wordTarget / paragraphWords));
  const base = Math.floor(wordTarget / count);
  const points = keyPoints.length > 0 ? keyPoints : [goal];
  return Array.from({ length: count }, (_, i) => ({
    point: i === 0 ? goal || points[0]! : points[(i - 1) % points.length]!,
    words: i === count - 1 ? wordTarget - base * (count - 1) : base,
  }));
}

export function buildPlan(
  entry: { subject: string; category: string; tier: Tier },
  titles: string[],
  details: SectionDetail[],
  config: PipelineConfig,
): EntryPlan {
  const tier = config.tiers[entry.tier];
  const total = Math.ceil(tier.minWords * (1 + tier.margin));
  const perSection = Math.ceil(total / titles.length);
  return {
    subject: entry.subject,
    category: entry.category,
    tier: entry.tier,
    minWords: tier.minWords,
    sections: titles.map((raw, i) => {
      const detail = details[i]!;
      const title = cleanLine(raw) || `${entry.subject}, part ${i + 1}`;
      const goal = cleanLine(detail.goal);
      const keyPoints = detail.keyPoints.map(cleanLine).filter(Boolean);
      return {
        numeral: toRoman(i + 1),
        title,
        goal,
        keyPoints,
        sources: detail.sources,
        wordTarget: perSection,
        paragraphs: planParagraphs(perSection, config.paragraphWords, keyPoints, goal),
      };
    }),
  };
}
