// How an entry's progress is shown while a command waits for it (`opus watch`, `opus generate`): two
// live bars on a terminal (the entry: share done, words, ETA, step; and its sections written), one
// line per change when stderr is not a terminal, nothing with --json.
import cliProgress from "cli-progress";
import { count, duration, statusLine } from "./format.ts";
import type { EntryStatusView } from "./types.ts";

export type ProgressView = { update(s: EntryStatusView): void; stop(): void };
export type ProgressMode = "bars" | "lines" | "none";

export const progressMode = (json: boolean): ProgressMode => (json ? "none" : process.stderr.isTTY ? "bars" : "lines");

export function progressView(mode: ProgressMode): ProgressView {
  if (mode === "none") return { update() {}, stop() {} };
  if (mode === "lines") {
    let lastLine = "";
    return {
      update(s) {
        const line = statusLine(s);
        if (line !== lastLine) process.stderr.write(`${line}\n`);
        lastLine = line;
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { format: "{label} {bar} {shown} | {detail}", hideCursor: true, stream: process.stderr, clearOnComplete: false, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  const entry = bars.create(100, 0, { label: "entry   ", shown: "  0%", detail: "queued" });
  const sections = bars.create(1, 0, { label: "sections", shown: "0/0", detail: "" });
  let stopped = false;
  return {
    update(s) {
      const percent = Math.round(s.progress * 100);
      const eta = s.eta_seconds === null || s.status === "queued" ? "" : ` | ETA ${duration(s.eta_seconds)}`;
      entry.update(percent, { shown: `${String(percent).padStart(3)}%`, detail: `${s.status} | ${count(s.words)} words${eta}` });
      sections.setTotal(Math.max(1, s.sections.total));
      sections.update(s.sections.done, { shown: `${s.sections.done}/${s.sections.total}`, detail: s.step ?? "" });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
