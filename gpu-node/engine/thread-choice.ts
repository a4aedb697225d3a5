// The thread-count decision: fewer threads unless more are clearly and consistently faster. A wrong
// "more" costs up to a hundredfold on a shared machine; a wrong "fewer" costs what the margin allows.
import type { SustainedSpeed } from "./thread-measure.ts";

export type ThreadSweepPoint = {
  threads: number;
  /** One sequence decoding alone: tokens/s of its slowest window. */
  tokensPerSecond: number;
  /** Every sequence of the layout decoding at once: their summed tokens/s, slowest window; null with one sequence. */
  parallelTokensPerSecond: number | null;
  /** Each window measured, in order. */
  windows: SustainedSpeed[];
};

/** The sweep's summary of one candidate from its windows: slowest window, alone and all together. */
export function summarize(threads: number, windows: SustainedSpeed[]): ThreadSweepPoint {
  const slowest = (alone: boolean) => {
    const speeds = windows.filter((w) => (w.sequences === 1) === alone).map((w) => w.tokensPerSecond);
    return speeds.length > 0 ? Math.min(...speeds) : null;
  };
  return { threads, tokensPerSecond: slowest(true) ?? 0, parallelTokensPerSecond: slowest(false), windows };
}

function fastestWindow(point: ThreadSweepPoint, alone: boolean): number {
  return Math.max(0, ...point.windows.filter((w) => (w.sequences === 1) === alone).map((w) => w.tokensPerSecond));
}

/** Whether `more` is clearly and consistently faster than `fewer`: its slowest window beats the other's fastest by minGain, alone and in parallel. */
export function clearlyFaster(more: ThreadSweepPoint, fewer: ThreadSweepPoint, minGain: number): boolean {
  const beats = (slowestOfMore: number | null, alone: boolean) => slowestOfMore === null || slowestOfMore >= fastestWindow(fewer, alone) * (1 + minGain);
  return beats(more.tokensPerSecond, true) && beats(more.parallelTokensPerSecond, false);
}

/**
 * Fewest threads, unless more are clearly and consistently faster (a shared machine punishes a wrong
 * "more"). Only candidates measured in every window take part: one dropped early has fewer windows.
 */
export function chooseThreads(sweep: ThreadSweepPoint[], minGain: number): number {
  const most = Math.max(0, ...sweep.map((p) => p.windows.length));
  const ascending = sweep.filter((p) => p.windows.length === most).sort((a, b) => a.threads - b.threads);
  let chosen = ascending[0];
  if (!chosen) return 1;
  for (const point of ascending.slice(1)) if (clearlyFaster(point, chosen, minGain)) chosen = point;
  return chosen.threads;
}
