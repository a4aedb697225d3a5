// The LongBench-Write length score: 100 when the text hits its required length, falling off faster
// for short text than for long (x: required words, y: written words).
export function lengthScore(required: number, written: number): number {
  if (required <= 0) return 100;
  if (written <= 0) return 0;
  if (written > required) return 100 * Math.max(0, 1 - (written / required - 1) / 3);
  return 100 * Math.max(0, 1 - (required / written - 1) / 2);
}
