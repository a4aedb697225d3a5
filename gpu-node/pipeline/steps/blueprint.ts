// Step "blueprint": section titles first (one grammar-constrained call), then each section's goal,
// key points and sources (one call per section, in parallel), then the plan with its word targets.
import { buildPlan, sectionDetailPrompt, sectionDetailSchema, titlesPrompt, titlesSchema, type SectionDetail } from "../plan.ts";
import { stepSeed } from "../draft.ts";
import { generate } from "../generator.ts";
import { chatTemplateAllowance, plainPrompt } from "../prompt.ts";
import type { EntryRun } from "../run.ts";
import { inSpan, type TraceScope } from "../spans.ts";
import { allSettledOrThrow } from "./settle.ts";

export async function writeBlueprint(run: EntryRun): Promise<void> {
  const { entry, deps, draft } = run;
  const tierPlan = deps.config.tiers[entry.tier];
  await inSpan(run.scope, "blueprint", { "opus.sections": tierPlan.sections }, async (blueprint) => {
    await run.enter("blueprint", "planning the entry", 0.01);
    if (!draft.titles) {
      const parsed = await generateJson<{ sections: string[] }>(run, "blueprint/titles", titlesPrompt(entry.subject, entry.category, tierPlan.sections), (chars) => titlesSchema(tierPlan.sections, chars), blueprint);
      draft.titles = parsed.value.sections;
      draft.tokens += parsed.tokens;
      await run.commit({ key: "blueprint/titles", kind: "blueprint", tokens: parsed.tokens });
    }
    const titles = draft.titles;
    // The library's works on the subject, chosen once and kept: a resumed blueprint offers the same.
    if (deps.sources && !draft.sourceWorks) {
      draft.sourceWorks = await deps.sources.works(entry.subject, entry.category);
      await run.save();
    }
    const choices = draft.sourceWorks ?? [];
    const details = (draft.details ??= titles.map(() => null));
    await allSettledOrThrow(
      titles.map(async (_, i) => {
        if (details[i]) return;
        const key = `blueprint/s${i}`;
        const parsed = await generateJson<SectionDetail>(run, key, sectionDetailPrompt(entry.subject, titles, i), (chars) => sectionDetailSchema(chars, choices), blueprint);
        details[i] = parsed.value;
        draft.tokens += parsed.tokens;
        await run.commit({ key, kind: "blueprint", tokens: parsed.tokens });
        run.report(`planned section ${i + 1} of ${titles.length}`, 0.01 + 0.06 * (details.filter(Boolean).length / titles.length));
      }),
    );
    draft.plan = buildPlan(entry, titles, details as SectionDetail[], deps.config);
    draft.sections = draft.plan.sections.map((s) => ({ paragraphs: s.paragraphs.map(() => null), expansions: 0 }));
  });
}

const jsonSystemPrompt = "You plan Orthodox theological encyclopedia entries. Answer with JSON only.";
const jsonSample = '{"goal": "Show how the grace of God deifies the faithful", "keyPoints": ["Union with God in Christ", "The uncreated energies"]}';

/**
 * One grammar-constrained generation, retried (with a new seed) when the output does not parse. The
 * schema is sized (by `schemaFor`) to the characters the model can still write in its context.
 */
async function generateJson<T>(run: EntryRun, key: string, request: string, schemaFor: (chars: number) => object, scope: TraceScope): Promise<{ value: T; tokens: number }> {
  const { deps, draft, entry, signal } = run;
  const prompt = plainPrompt(run.style, request, jsonSystemPrompt);
  const contextSize = await deps.generator.contextSize();
  const promptTokens =
    prompt.kind === "chat" ? (await deps.generator.countTokens(`${jsonSystemPrompt}${request}`)) + chatTemplateAllowance : await deps.generator.countTokens(request);
  const tokensPerChar = (await deps.generator.countTokens(jsonSample)) / jsonSample.length;
  // Grammar-constrained text tokenizes worse than free text: keep a wide margin.
  let chars = Math.floor((contextSize - promptTokens - 8) / (tokensPerChar * 1.6));
  let tokens = 0;
  let lastError = "";
  for (let attempt = 0; attempt < deps.config.sectionAttempts; attempt++) {
    const schema = schemaFor(chars);
    const result = await generate(
      deps.generator,
      prompt,
      {
        maxTokens: Math.max(32, contextSize - promptTokens - 4),
        jsonSchema: schema,
        temperature: deps.config.blueprintTemperature,
        seed: stepSeed(draft.seed, `${key}/try${attempt}`),
        priority: entry.tier,
        signal,
      },
      scope,
      run.retries(`${key}/try${attempt}`),
    );
    signal.throwIfAborted();
    tokens += result.tokens;
    try {
      return { value: JSON.parse(result.text) as T, tokens };
    } catch (error) {
      lastError = `${key}: the model's JSON did not parse (${(error as Error).message}); stop: ${result.stopReason}`;
      // Out of room: a small model's strings tokenize worse than the estimate (byte tokens), so the next
      // try gets a tighter schema instead of the same overflow.
      if (result.stopReason === "maxTokens") chars = Math.max(16, Math.floor(chars * 0.6));
      draft.retries.push({ key: `${key}/try${attempt}`, kind: "retry", reason: lastError });
      await run.logStep({ key: `${key}/try${attempt}`, kind: "retry", reason: lastError, tokens: result.tokens });
    }
  }
  throw new Error(`${lastError} after ${deps.config.sectionAttempts} attempts; a model with a larger context may be needed`);
}
