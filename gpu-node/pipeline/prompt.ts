// Builds prompts that fit the model's context: parts are kept in order of importance, and whatever
// does not fit is shortened (keeping its most useful end) or left out. The same code serves a
// 512-token test model and a 32k-token production model; the bigger the context, the more it keeps.
// A base model gets one document to continue; an instruct model gets the same parts as chat
// messages (system rules, the user's request, and the reply so far to continue).
import type { PromptStyle } from "../../shared/api/node-protocol.ts";
import type { ChatMessage } from "../engine/generation.ts";

export type { PromptStyle };

export type PromptPart = {
  text: string;
  /** 1 is most important. */
  priority: number;
  /** Which end survives shortening; "none" means all or nothing. */
  keep: "head" | "tail" | "none";
  /** Where the part goes in a chat prompt (default "user"); "omit" leaves it out of chats. */
  chat?: "system" | "user" | "assistant" | "omit";
  /** A part for one prompt style only. */
  only?: PromptStyle;
};

/** A prompt fitted for one style: a document to continue, or chat messages. */
export type FittedPrompt = { kind: "completion"; prompt: string } | { kind: "chat"; messages: ChatMessage[] };

export type TokenCounter = (text: string) => number | Promise<number>;

async function shorten(text: string, keep: "head" | "tail", budget: number, count: TokenCounter): Promise<string> {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = keep === "head" ? text.slice(0, mid) : text.slice(text.length - mid);
    if ((await count(candidate)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return "";
  // Cut at a word boundary so no half word is fed to the model.
  if (keep === "head") {
    const cut = text.slice(0, lo);
    const space = cut.lastIndexOf(" ");
    return (space > lo / 2 ? cut.slice(0, space) : cut).trimEnd();
  }
  const cut = text.slice(text.length - lo);
  const space = cut.indexOf(" ");
  return (space >= 0 && space < lo / 2 ? cut.slice(space + 1) : cut).trimStart();
}

/** Joins the parts that fit in `budget` tokens, in their original order. */
export async function fitPrompt(parts: PromptPart[], budget: number, count: TokenCounter): Promise<{ prompt: string; tokens: number; dropped: number; fitted: (string | undefined)[] }> {
  const chosen: (string | undefined)[] = parts.map(() => undefined);
  let remaining = budget;
  let dropped = 0;
  const order = parts.map((p, i) => ({ p, i })).sort((a, b) => a.p.priority - b.p.priority || a.i - b.i);
  for (const { p, i } of order) {
    if (!p.text) continue;
    const tokens = await count(p.text);
    if (tokens <= remaining) {
      chosen[i] = p.text;
      remaining -= tokens;
    } else if (p.keep !== "none" && remaining > 8) {
      const short = await shorten(p.text, p.keep, remaining, count);
      if (short) {
        chosen[i] = short;
        remaining -= await count(short);
      } else dropped++;
    } else dropped++;
  }
  const prompt = chosen.filter((t): t is string => t !== undefined).join("");
  return { prompt, tokens: await count(prompt), dropped, fitted: chosen };
}

/** What a chat template adds around the messages, at most, in tokens (role markers, turn ends). */
export const chatTemplateAllowance = 48;

/** Fits the parts for one prompt style: one document, or system, user and assistant messages. */
export async function fitStyledPrompt(style: PromptStyle, parts: PromptPart[], budget: number, count: TokenCounter): Promise<FittedPrompt> {
  const used = parts.filter((p) => (p.only ?? style) === style && !(style === "chat" && p.chat === "omit"));
  if (style === "completion") return { kind: "completion", prompt: (await fitPrompt(used, budget, count)).prompt };
  const { fitted } = await fitPrompt(used, budget - chatTemplateAllowance, count);
  const joined = (role: NonNullable<PromptPart["chat"]>) =>
    used
      .map((p, i) => ((p.chat ?? "user") === role ? fitted[i] : undefined))
      .filter((t): t is string => Boolean(t))
      .join("")
      .trim();
  const messages: ChatMessage[] = [];
  const system = joined("system");
  if (system) messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: joined("user") });
  const reply = joined("assistant");
  if (reply) messages.push({ role: "assistant", content: reply });
  return { kind: "chat", messages };
}

/** A one-part request (a blueprint step) in the given style. */
export function plainPrompt(style: PromptStyle, request: string, system: string): FittedPrompt {
  return style === "chat"
    ? { kind: "chat", messages: [{ role: "system", content: system }, { role: "user", content: request.trim() }] }
    : { kind: "completion", prompt: request };
}

export const houseStyleRules =
  "House style: sober, precise Orthodox theology for educated readers; full sentences in paragraphs; " +
  'cite Scripture as "John 1:14" and the Fathers as "St. Athanasius, *On the Incarnation* 54"; ' +
  "no dashes, no filler, no repetition of other sections.\n";
