// Writes one entry: a blueprint under a JSON-schema grammar, then every section in parallel across
// the engine's sequences, then assembly into house-style Markdown.
import type { EntryStatus, Tier } from "../../shared/api/entry.ts";
import type { FinishedEntry } from "../../shared/api/node-protocol.ts";
import { countWords, paragraphIndent, toRoman } from "../../shared/text/words.ts";
import type { TextGenerator } from "./generator.ts";

export type EntryJob = { id: string; subject: string; tier: Tier; category: string; seed?: number };

export type Progress = {
  status: EntryStatus;
  step: string;
  progress: number;
  words: number;
  sectionsDone: number;
  sectionsTotal: number;
  tokens: number;
  etaSeconds: number | null;
};

/** Progress is reported without waiting: a slow edge must never hold up generation. */
export type WriteOptions = { generator: TextGenerator; signal: AbortSignal; onProgress: (p: Progress) => void };

export const promptVersion = "skeleton-1";

const tierPlan: Record<Tier, { sections: number; sectionTokens: number }> = {
  S: { sections: 6, sectionTokens: 320 },
  A: { sections: 5, sectionTokens: 240 },
  B: { sections: 4, sectionTokens: 160 },
};

type Blueprint = { sections: { title: string; summary: string }[] };

function blueprintSchema(sections: number) {
  const text = (max: number) => ({ type: "string", maxLength: max }) as const;
  return {
    type: "object",
    properties: {
      sections: {
        type: "array",
        minItems: sections,
        maxItems: sections,
        items: { type: "object", properties: { title: text(60), summary: text(160) } },
      },
    },
  } as const;
}

/** One line, no dashes the house style forbids, no stray Markdown. */
function cleanLine(text: string): string {
  return text
    .replace(/[\u2013\u2014]/g, ", ")
    .replace(/[#*_`>\\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Prose into house paragraphs, ending at the last complete sentence. */
export function toParagraphs(raw: string): string[] {
  const paragraphs = raw
    .split(/\n\s*\n|\n/)
    .map(cleanLine)
    .filter((p) => countWords(p) > 0);
  if (paragraphs.length === 0) return [];
  const last = paragraphs[paragraphs.length - 1]!;
  const end = Math.max(last.lastIndexOf(". "), last.lastIndexOf("! "), last.lastIndexOf("? "));
  if (!/[.!?]["”']?$/.test(last)) {
    if (end > 0) paragraphs[paragraphs.length - 1] = last.slice(0, end + 1);
    else if (paragraphs.length > 1) paragraphs.pop();
    else paragraphs[0] = `${last}.`;
  }
  return paragraphs.map((p) => paragraphIndent + p);
}

export async function writeEntry(job: EntryJob, opts: WriteOptions): Promise<FinishedEntry> {
  const plan = tierPlan[job.tier];
  const started = Date.now();
  let tokens = 0;
  const report = (p: Omit<Progress, "tokens" | "etaSeconds"> & { etaSeconds?: number | null }) =>
    opts.onProgress({ tokens, etaSeconds: null, ...p });

  report({ status: "blueprint", step: "planning the entry", progress: 0.02, words: 0, sectionsDone: 0, sectionsTotal: plan.sections });
  const bp = await opts.generator.complete({
    prompt: `An encyclopedia entry on ${job.subject} (${job.category}), in ${plan.sections} sections.\n`,
    maxTokens: 80 * plan.sections,
    jsonSchema: blueprintSchema(plan.sections),
    temperature: 0.7,
    seed: job.seed,
    priority: job.tier,
    signal: opts.signal,
  });
  opts.signal.throwIfAborted();
  tokens += bp.tokens;
  const blueprint = JSON.parse(bp.text) as Blueprint;
  const outline = blueprint.sections.map((s, i) => ({
    title: cleanLine(s.title) || `${job.subject}, part ${i + 1}`,
    summary: cleanLine(s.summary),
  }));

  let done = 0;
  let words = 0;
  report({ status: "sections", step: `writing ${outline.length} sections`, progress: 0.1, words, sectionsDone: 0, sectionsTotal: outline.length });
  const sections = await Promise.all(
    outline.map(async (section, i) => {
      const result = await opts.generator.complete({
        prompt: `${job.subject}. ${section.title}. ${section.summary}\n`,
        maxTokens: plan.sectionTokens,
        temperature: 0.8,
        seed: job.seed === undefined ? undefined : job.seed + i + 1,
        priority: job.tier,
        signal: opts.signal,
      });
      opts.signal.throwIfAborted();
      tokens += result.tokens;
      const paragraphs = toParagraphs(result.text);
      const heading = `## ${toRoman(i + 1)}. ${section.title}`;
      const markdown = [heading, ...paragraphs].join("\n\n");
      const sectionWords = countWords(paragraphs.join(" "));
      done += 1;
      words += sectionWords;
      const elapsed = (Date.now() - started) / 1000;
      report({
        status: "sections",
        step: `wrote section ${toRoman(i + 1)}`,
        progress: 0.1 + 0.8 * (done / outline.length),
        words,
        sectionsDone: done,
        sectionsTotal: outline.length,
        etaSeconds: (elapsed / done) * (outline.length - done),
      });
      return { title: `${toRoman(i + 1)}. ${section.title}`, markdown, words: sectionWords };
    }),
  );

  report({ status: "assembling", step: "assembling the entry", progress: 0.95, words, sectionsDone: done, sectionsTotal: outline.length });
  const markdown = `# ${job.subject}\n\n${sections.map((s) => s.markdown).join("\n\n")}\n`;
  return {
    title: job.subject,
    markdown,
    sections,
    words,
    metadata: { seed: job.seed ?? null, prompt_version: promptVersion, tokens, duration_seconds: (Date.now() - started) / 1000 },
  };
}
