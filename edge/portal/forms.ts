// The portal's decision forms, read into the review flow's Decision (shared/review/decisions.ts
// checks it). One route takes every decision; the form's `action` field says which.
import { toRoman } from "../../shared/text/roman.ts";
import type { FieldError } from "../errors.ts";

const sectionName = (index: number) => `section ${toRoman(index + 1)}`;

/** A parsed form (`parseBody({ all: true })`): repeated fields arrive as arrays. */
export type FormBody = Record<string, string | File | (string | File)[]>;

const text = (form: FormBody, name: string): string | undefined => {
  const v = form[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : undefined;
};
const texts = (form: FormBody, name: string): string[] => {
  const v = form[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
};
const int = (value: string | undefined): number | undefined => (value !== undefined && /^\d{1,9}$/.test(value.trim()) ? Number(value) : undefined);
/** An optional note: blank means none. */
const optional = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value);

export type FormDecision = { ok: true; decision: unknown } | { ok: false; message: string; fields: FieldError[] };

/** The form as a Decision for zod to check; what no schema can say (a ticked box without instructions) is said here. */
export function formToDecision(form: FormBody): FormDecision {
  const action = text(form, "action");
  const revision = int(text(form, "revision"));
  if (revision === undefined) return { ok: false, message: "The form does not say which revision it was made on.", fields: [{ field: "revision", message: "must be a revision number" }] };
  const reason = optional(text(form, "reason"));
  switch (action) {
    case "approve":
      return { ok: true, decision: { action, revision, ...(reason ? { reason } : {}) } };
    case "reject":
      if (!reason) return { ok: false, message: "Say why the entry is rejected.", fields: [{ field: "reason", message: "must not be empty" }] };
      return { ok: true, decision: { action, revision, reason } };
    case "edit": {
      const section = int(text(form, "section"));
      const paragraph = int(text(form, "paragraph"));
      if (section === undefined || paragraph === undefined) return { ok: false, message: "The form does not say which paragraph it edits.", fields: [{ field: "paragraph", message: "missing" }] };
      return { ok: true, decision: { action, revision, ...(reason ? { reason } : {}), edits: [{ section, paragraph, text: text(form, "text") ?? "" }] } };
    }
    case "revise": {
      const ticked = [...new Set(texts(form, "section").map((s) => int(s)))];
      const fields: FieldError[] = [];
      if (ticked.some((s) => s === undefined)) fields.push({ field: "section", message: "must be section numbers" });
      // Instructions written for a section that is not ticked would be lost without a word: say so.
      for (const name of Object.keys(form)) {
        const m = /^instructions-(\d{1,3})$/.exec(name);
        if (m && optional(text(form, name)) && !ticked.includes(Number(m[1]))) fields.push({ field: sectionName(Number(m[1])), message: "has instructions but is not ticked" });
      }
      const sections = ticked
        .filter((s): s is number => s !== undefined)
        .map((section) => {
          const instructions = optional(text(form, `instructions-${section}`));
          if (!instructions) fields.push({ field: sectionName(section), message: "is ticked: write what to change in it" });
          return { section, instructions: instructions ?? "" };
        });
      if (sections.length === 0 && fields.length === 0) fields.push({ field: "sections", message: "tick at least one section to send back" });
      if (fields.length > 0) return { ok: false, message: "The sections to send back need another look.", fields };
      return { ok: true, decision: { action, revision, ...(reason ? { reason } : {}), sections } };
    }
    default:
      return { ok: false, message: "The form names no known action.", fields: [{ field: "action", message: "must be approve, reject, edit or revise" }] };
  }
}

/** What the reviewer typed in a refused form, to show back so that nothing is lost. */
export function keptText(form: FormBody): { label: string; text: string }[] {
  const kept: { label: string; text: string }[] = [];
  for (const [name, value] of Object.entries(form)) {
    const t = text(form, name);
    if (typeof value !== "string" && !Array.isArray(value)) continue;
    if (!t || !t.trim()) continue;
    if (name === "text") kept.push({ label: "Paragraph text", text: t });
    else if (name === "reason") kept.push({ label: "Reason", text: t });
    else if (/^instructions-\d+$/.test(name)) kept.push({ label: `Instructions for ${sectionName(Number(name.slice(13)))}`, text: t });
  }
  return kept;
}
