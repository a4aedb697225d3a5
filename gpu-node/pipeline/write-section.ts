// Writes sections paragraph by paragraph. A paragraph is written in passes: when the model stops
// short (or its context is too small for the whole paragraph), the next pass continues from the
// text so far. Every finished paragraph is checkpointed before the next one starts.
import type { Tier } from "../../shared/api/tier.ts";
import { countWords } from "../../shared/text/words.ts";
import type { PipelineConfig } from "./config.ts";
import { stepSeed, type EntryDraft } from "./draft.ts";
import { generate, type TextGenerator, type TransientRetries } from "./generator.ts";
import { cleanLine, type SectionPlan } from "./plan.ts";
import { fitStyledPrompt, houseStyleRules, type PromptPart, type PromptStyle } from "./prompt.ts";
import { inSpan, type TraceScope } from "./spans.ts";
import { sectionHeading } from "./assemble.ts";

export type StepLog = (step: { key: string; kind: string; reason?: string; tokens?: number; durationMs?: number }) => Promise<boolean>;

export type WriteContext = {
  generator: TextGenerator;
  /** Chat messages for an instruct model, a document to continue for a base model. */
  style: PromptStyle;
  /** The span the next steps belong under (the entry's, or a section's). */
  trace: TraceScope;
  config: PipelineConfig;
  draft: EntryDraft;
  signal: AbortSignal;
  priority: Tier;
  /** Passages from the knowledge base for a section (cached in the draft for reproducibility). */
  retrieve?: (section: SectionPlan) => Promise<string[]>;
  /** Primary passages from the sources library for a section, with their citations (cached in the draft too). */
  primary?: (section: SectionPlan) => Promise<{ citation: string; text: string }[]>;
  logStep: StepLog;
  save: () => Promise<void>;
  /** Saves the draft and logs the step that changed it, atomically. */
  commit: StepLog;
  /** Called after each paragraph, with the tokens it took. */
  onParagraph: (section: number, tokens: number) => void;
  /** How a generation of step `key` is retried on a transient fault. */
  retries: (key: string) => TransientRetries;
};

/** A paragraph the model would not write: fatal for a planned paragraph, not for an optional expansion. */
export class NoUsableTextError extends Error {}

const blankTriesPerAttempt = 3;

/** Ends the text at a sentence boundary, no later than `maxWords` words. */
export function endAtSentence(text: string, maxWords: number): string {
  let t = text.trim();
  const words = t.split(/\s+/);
  if (words.length > maxWords) t = words.slice(0, maxWords).join(" ");
  const ends = [...t.matchAll(/[.!?]["”’')\]]?(?=\s|$)/g)];
  const last = ends.at(-1);
  if (last && last.index! + last[0].length >= t.length) return t;
  if (last && last.index! > t.length / 3) return t.slice(0, last.index! + last[0].length);
  return t.replace(/[,;:\s]+$/, "") + ".";
}

const sectionDone = (draft: EntryDraft, s: number) => draft.sections[s]!.paragraphs.every(Boolean);

async function tokensPerWord(ctx: WriteContext): Promise<number> {
  const sample = "The grace of the Holy Spirit unites the faithful to Christ, and through Him to the Father.";
  return Math.max(1, (await ctx.generator.countTokens(sample)) / countWords(sample));
}

export type ParagraphRequest = {
  section: number;
  paragraph: number;
  point: string;
  words: number;
  /** Unique key of this step, e.g. "s2/p5" or "c1/s2/p5". */
  key: string;
  /** Extra instruction, e.g. what a regenerated paragraph must avoid, or a reviewer's request. */
  instruction?: string;
  /** Further context for the prompt, kept as room allows (a revision: the rest of the entry). */
  context?: string;
};

/** Writes one paragraph (without its indent), in a `paragraph` span. */
export function writeParagraph(ctx: WriteContext, req: ParagraphRequest): Promise<{ text: string; tokens: number }> {
  return inSpan(ctx.trace, "paragraph", { "opus.step": req.key, "opus.words.target": req.words }, async (scope, span) => {
    const written = await writeParagraphPasses({ ...ctx, trace: scope }, req);
    span.setAttributes({ "opus.words.written": countWords(written.text), "gen_ai.usage.output_tokens": written.tokens });
    return written;
  });
}

async function writeParagraphPasses(ctx: WriteContext, req: ParagraphRequest): Promise<{ text: string; tokens: number }> {
  const { draft, config } = ctx;
  const plan = draft.plan!;
  const section = plan.sections[req.section]!;
  const contextSize = await ctx.generator.contextSize();
  let tpw = await tokensPerWord(ctx);
  const passages = (ctx.retrieve && config.retrievalPassages > 0 ? await ctx.retrieve(section) : []).slice(0, config.retrievalPassages);
  const primary = ctx.primary ? await ctx.primary(section) : [];
  const neighbours = [plan.sections[req.section - 1], plan.sections[req.section + 1]]
    .filter((n): n is SectionPlan => Boolean(n))
    .map((n) => `${n.numeral}. ${n.title}: ${n.goal}`)
    .join(" ");
  const previous = draft.sections[req.section]!.paragraphs.slice(0, req.paragraph).filter(Boolean).at(-1) ?? "";

  let text = "";
  let tokens = 0;
  let failures = 0;
  for (let pass = 0; pass < config.paragraphPasses; pass++) {
    ctx.signal.throwIfAborted();
    const remaining = req.words - countWords(text);
    if (remaining < req.words * 0.15) break;
    const maxTokens = Math.max(16, Math.min(Math.ceil(remaining * tpw * 1.25) + 8, Math.floor(contextSize / 2)));
    const parts: PromptPart[] = [
      {
        text: "You write an Orthodox theological encyclopedia entry, one paragraph at a time. Answer with the paragraph's text only: plain prose, no heading, no preface.\n",
        priority: 1,
        keep: "none",
        chat: "system",
        only: "chat",
      },
      { text: `Encyclopedia entry: ${plan.subject} (${plan.category}).\n`, priority: 1, keep: "head" },
      { text: houseStyleRules, priority: 4, keep: "none", chat: "system" },
      { text: `Outline: ${plan.sections.map((s) => `${s.numeral}. ${s.title}`).join("; ")}.\n`, priority: 5, keep: "head" },
      { text: neighbours ? `Neighbouring sections (do not repeat them): ${neighbours}\n` : "", priority: 6, keep: "head" },
      {
        text: `Section ${section.numeral}, "${section.title}": ${section.goal} Key points: ${section.keyPoints.join("; ")}. Sources to cite: ${section.sources.join("; ")}.\n`,
        priority: 2,
        keep: "head",
      },
      {
        text: primary.length ? `Primary sources (quote their words exactly and cite them as given): ${primary.map((p) => `${p.citation}: "${p.text}"`).join(" ")}\n` : "",
        // Kept before the golden passages when room is short, after everything else.
        priority: 7,
        keep: "head",
      },
      { text: passages.length ? `Reference passages: ${passages.map((p) => `"${p}"`).join(" ")}\n` : "", priority: 7, keep: "head" },
      { text: req.context ?? "", priority: 4, keep: "head" },
      { text: `Paragraph ${req.paragraph + 1}, about ${req.words} words, on: ${req.point}.${req.instruction ? ` ${req.instruction}` : ""}\n`, priority: 1, keep: "head" },
      // A base model continues the document: the heading, then the paragraph before, then this one.
      { text: `\n${sectionHeading(section.numeral, section.title)}\n\n`, priority: 3, keep: "none", chat: "omit" },
      { text: !text && previous ? `${previous}\n\n` : "", priority: 3, keep: "tail", only: "completion" },
      // An instruct model is told what came before and answers with the paragraph alone.
      { text: !text && previous ? `The paragraph before it (go on from it, do not repeat it): ${previous}\n` : "", priority: 3, keep: "tail", only: "chat" },
      // The paragraph so far, continued by the next pass (the start of the reply, in a chat).
      { text, priority: 1, keep: "tail", chat: "assistant" },
    ];
    const prompt = await fitStyledPrompt(ctx.style, parts, contextSize - maxTokens - 4, (t) => ctx.generator.countTokens(t));
    const started = performance.now();
    const result = await generate(ctx.generator, prompt, {
      maxTokens,
      temperature: config.temperature,
      seed: stepSeed(draft.seed, `${req.key}/pass${pass}/try${failures}`),
      // A base model ends a paragraph whenever it likes (a small one after a sentence or two): it writes
      // on to the words asked for, its paragraph breaks flattened, and stops only at a heading. An instruct
      // model answers with one paragraph and stops at a blank line.
      stop: ctx.style === "completion" ? ["\n#"] : ["\n\n", "\n#"],
      priority: ctx.priority,
      signal: ctx.signal,
    }, ctx.trace, ctx.retries(`${req.key}/pass${pass}/try${failures}`));
    ctx.signal.throwIfAborted();
    tokens += result.tokens;
    const added = cleanLine(result.text);
    // A later pass that stops at once has ended the paragraph it was continuing: that is its answer.
    if (countWords(added) === 0 && pass > 0 && countWords(text) > 0 && result.stopReason === "stop") break;
    if (countWords(added) === 0) {
      failures++;
      const reason = `pass ${pass + 1} of ${req.key} gave no text (stop: ${result.stopReason})`;
      draft.retries.push({ key: `${req.key}/pass${pass}/try${failures}`, kind: "retry", reason });
      await ctx.logStep({ key: `${req.key}/pass${pass}/try${failures}`, kind: "retry", reason, tokens: result.tokens, durationMs: performance.now() - started });
      // A blank answer costs a few tokens, and a small model may open with a blank line several times
      // in a row: blanks get more tries than a paragraph's other faults.
      if (failures >= config.sectionAttempts * blankTriesPerAttempt) break;
      pass--;
      continue;
    }
    text = text ? `${text}${/^[,.;:!?]/.test(added) ? "" : " "}${added}` : added;
    tpw = 0.7 * tpw + 0.3 * Math.max(1, result.tokens / Math.max(1, countWords(added)));
  }
  const final = endAtSentence(text, Math.ceil(req.words * 1.25));
  if (countWords(final) === 0) {
    throw new NoUsableTextError(`section ${section.numeral}, paragraph ${req.paragraph + 1}: the model gave no usable text in ${config.sectionAttempts * blankTriesPerAttempt} attempts`);
  }
  return { text: final, tokens };
}

/** Writes every missing planned paragraph of section `s`, then expands it while it is short. */
export async function writeSection(ctx: WriteContext, s: number): Promise<void> {
  const { draft, config } = ctx;
  const section = draft.plan!.sections[s]!;
  const slots = draft.sections[s]!;
  for (let p = 0; p < section.paragraphs.length; p++) {
    if (slots.paragraphs[p]) continue; // written before a restart: never write it twice
    const started = performance.now();
    const planned = section.paragraphs[p]!;
    const { text, tokens } = await writeParagraph(ctx, { section: s, paragraph: p, point: planned.point, words: planned.words, key: `s${s}/p${p}` });
    slots.paragraphs[p] = text;
    draft.tokens += tokens;
    await ctx.commit({ key: `s${s}/p${p}`, kind: "paragraph", tokens, durationMs: performance.now() - started });
    ctx.onParagraph(s, tokens);
  }
  await expandSection(ctx, s, config.sectionMinShare * section.wordTarget);
}

export function sectionWords(draft: EntryDraft, s: number): number {
  return draft.sections[s]!.paragraphs.reduce((n, p) => n + (p ? countWords(p) : 0), 0);
}

/** Adds paragraphs to section `s` until it reaches `goalWords` or its expansion budget is spent. */
export async function expandSection(ctx: WriteContext, s: number, goalWords: number): Promise<void> {
  const { draft, config } = ctx;
  const section = draft.plan!.sections[s]!;
  const slots = draft.sections[s]!;
  // A slot opened for an expansion that a restart interrupted is empty: it is written afresh.
  while (slots.paragraphs.length > section.paragraphs.length && slots.paragraphs.at(-1) === null) slots.paragraphs.pop();
  while (sectionWords(draft, s) < goalWords && slots.expansions < config.expansionAttempts) {
    const have = sectionWords(draft, s);
    const k = slots.expansions;
    const key = `s${s}/x${k}`;
    const reason = `section ${section.numeral} has ${have} of ${Math.round(goalWords)} words`;
    const points = section.keyPoints.length ? section.keyPoints : [section.goal];
    const started = performance.now();
    const p = slots.paragraphs.length;
    slots.paragraphs.push(null);
    let written: { text: string; tokens: number };
    try {
      written = await writeParagraph(ctx, {
        section: s,
        paragraph: p,
        point: `${points[k % points.length]} (further)`,
        words: Math.min(config.paragraphWords, Math.max(40, Math.ceil(goalWords - have))),
        key,
      });
    } catch (error) {
      if (!(error instanceof NoUsableTextError)) throw error;
      // An expansion is optional: the section stays short (the length score says so) rather than the
      // entry failing with every word written so far.
      slots.paragraphs.pop();
      slots.expansions = config.expansionAttempts;
      const gaveUp = `${reason}; expansion given up: ${error.message}`;
      draft.retries.push({ key, kind: "expansion", reason: gaveUp });
      await ctx.commit({ key, kind: "expansion", reason: gaveUp, tokens: 0, durationMs: performance.now() - started });
      break;
    }
    const { text, tokens } = written;
    slots.paragraphs[p] = text;
    slots.expansions++;
    draft.tokens += tokens;
    draft.retries.push({ key, kind: "expansion", reason });
    await ctx.commit({ key, kind: "expansion", reason, tokens, durationMs: performance.now() - started });
    ctx.onParagraph(s, tokens);
  }
}

export { sectionDone };
