// Small text helpers for the client's human output (the --json output is the edge's own JSON).
import type { EntryStatusView } from "./types.ts";

export const count = (n: number) => n.toLocaleString("en-US");

/** "45 s", "3 min 05 s", "1 h 02 min"; "unknown" when the edge cannot tell yet. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "unknown";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** One line about where an entry stands: status, step, progress, words, sections, ETA. */
export function statusLine(s: EntryStatusView): string {
  const parts = [`${Math.round(s.progress * 100)}%`, `${count(s.words)} words`, `sections ${s.sections.done}/${s.sections.total}`];
  if (s.eta_seconds !== null && s.status !== "queued") parts.push(`ETA ${duration(s.eta_seconds)}`);
  return `${s.status}${s.step ? `: ${s.step}` : ""} (${parts.join(", ")})`;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** An ISO time as "2026-12-01 21:07:28Z", shorter in tables. */
export const shortTime = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-");
