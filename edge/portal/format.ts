// Small display helpers shared by the portal's pages.

/** "3 min", "5 h", "2 d": how long ago, coarse. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** A time as people read it, in UTC (the server does not know the reader's zone). */
export function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const percent = (x: number) => `${Math.round(x * 100)}%`;
